package dev.aimesh.bench.sidebyside;

import java.util.List;
import java.util.Optional;

/** The baseline: the load generator talks to the upstream itself; every proxy's cost is measured against it. */
final class DirectPath implements SystemUnderTest {
    private final int upstreamPort;
    private final int upstreamH2cPort;
    private final String name;

    /** @param name "direct", or {@link Results#DIRECT_AFTER} for the measurement at the end of the run */
    DirectPath(int upstreamPort, int upstreamH2cPort, String name) {
        this.upstreamPort = upstreamPort;
        this.upstreamH2cPort = upstreamH2cPort;
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public H2load.Target target(Protocol protocol, String path) {
        int port = protocol == Protocol.H2 ? upstreamH2cPort : upstreamPort; // nginx 1.22 wants h2c on a port of its own
        return new H2load.Target("http://127.0.0.1:" + port + path, Optional.empty());
    }

    @Override
    public List<Launched> proxies() {
        return List.of();
    }

    @Override
    public Optional<Integer> mtlsPort() {
        return Optional.empty();
    }

    @Override
    public Optional<ReuseCounts> reuse() {
        return Optional.empty();
    }

    @Override
    public void close() {}
}
