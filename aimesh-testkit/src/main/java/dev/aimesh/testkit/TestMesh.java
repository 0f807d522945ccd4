package dev.aimesh.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Optional;
import dev.aimesh.controlplane.ControlPlane;
import dev.aimesh.controlplane.ControlPlaneOptions;
import dev.aimesh.core.identity.JoinToken;
import dev.aimesh.proxy.agent.BootstrapException;
import dev.aimesh.proxy.Proxy;
import dev.aimesh.proxy.ProxyOptions;
import dev.aimesh.proxy.agent.WorkloadIdentity;
import dev.aimesh.proxy.http.ProxyLimits;

/** A control plane on loopback port 0 over a config directory the test writes, and helpers to join it. */
public final class TestMesh implements AutoCloseable {
    public static final String WORKLOADS = """
            apiVersion: aimesh.dev/v1alpha1
            kind: Workload
            metadata: {name: model, namespace: models}
            spec: {serviceAccount: llm}
            ---
            apiVersion: aimesh.dev/v1alpha1
            kind: Workload
            metadata: {name: app, namespace: apps}
            """;
    /** A second caller, web/site, for tests that allow one caller and deny another. */
    public static final String SITE = """
            apiVersion: aimesh.dev/v1alpha1
            kind: Workload
            metadata: {name: site, namespace: web}
            """;

    public final Path configDir;
    public final Path dataDir;
    public final InstantSource clock;
    public ControlPlane cp;

    public TestMesh(Path root, String meshYaml, InstantSource clock) {
        this.configDir = root.resolve("config");
        this.dataDir = root.resolve("data");
        this.clock = clock;
        write("workloads.yaml", WORKLOADS);
        if (meshYaml != null) {
            write("mesh.yaml", meshYaml);
        }
        start();
    }

    public static String meshWithLifetime(String lifetime) {
        return """
                apiVersion: aimesh.dev/v1alpha1
                kind: Mesh
                metadata: {name: default}
                spec:
                  trustDomain: it.example
                  certificates: {workloadLifetime: %s}
                """.formatted(lifetime);
    }

    public void write(String file, String yaml) {
        try {
            Files.createDirectories(configDir);
            Files.writeString(configDir.resolve(file), yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void start() {
        start(0);
    }

    /** Starts the control plane on the data directory; a proxy that knows {@code grpcPort} finds it again there. */
    public void start(int grpcPort) {
        cp = ControlPlane.start(new ControlPlaneOptions(configDir, dataDir, new InetSocketAddress("127.0.0.1", grpcPort),
                new InetSocketAddress("127.0.0.1", 0), Optional.empty(), clock, Duration.ofMillis(100)));
    }

    public void restart() {
        cp.close();
        start();
    }

    public InetSocketAddress grpc() {
        return cp.grpcAddress();
    }

    public JoinToken token(String workload) {
        return JoinToken.parse(cp.createToken(workload, Duration.ofMinutes(5)).token());
    }

    public WorkloadIdentity join(String workload) throws BootstrapException {
        return WorkloadIdentity.bootstrap(grpc(), token(workload), InstantSource.system());
    }

    /** A proxy in front of {@code upstream}, serving {@code workload} on a free loopback port. */
    public Proxy serverProxy(String workload, InetSocketAddress upstream, boolean h2c, ProxyLimits limits) throws Exception {
        return serverProxy(workload, upstream, h2c, limits, 2);
    }

    /** As {@link #serverProxy(String, InetSocketAddress, boolean, ProxyLimits)}, with {@code eventLoops} event loops. */
    public Proxy serverProxy(String workload, InetSocketAddress upstream, boolean h2c, ProxyLimits limits, int eventLoops)
            throws Exception {
        return Proxy.start(new ProxyOptions(grpc(), Optional.of(token(workload)), Optional.empty(),
                Optional.of(new InetSocketAddress("127.0.0.1", 0)),
                Optional.of(upstream), h2c, Optional.empty(), "127.0.0.1", false, limits, eventLoops, InstantSource.system()));
    }

    /** A proxy beside an app of {@code workload}, with an outbound listener on a free loopback port. */
    public Proxy clientProxy(String workload) throws Exception {
        return clientProxy(workload, 2);
    }

    /**
     * As {@link #clientProxy(String)}, with {@code eventLoops} event loops: with one, every call to a peer shares one
     * connection to it.
     */
    public Proxy clientProxy(String workload, int eventLoops) throws Exception {
        return Proxy.start(new ProxyOptions(grpc(), Optional.of(token(workload)), Optional.empty(), Optional.empty(), Optional.empty(), false,
                Optional.of(new InetSocketAddress("127.0.0.1", 0)), "127.0.0.1", false, ProxyLimits.DEFAULTS, eventLoops,
                InstantSource.system()));
    }

    /** Waits until each caller's proxy knows where the model's proxy listens (its first config may predate it). */
    public static void awaitModelEndpoint(Proxy... callers) {
        for (Proxy caller : callers) {
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !caller.registry()
                    .workload("models", "model").orElseThrow().endpoints().isEmpty());
        }
    }

    @Override
    public void close() {
        cp.close();
    }
}
