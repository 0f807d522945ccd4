package dev.aimesh.bench.sidebyside;

import java.util.List;
import java.util.Optional;

/**
 * One way from the load generator to the upstream: directly, or through a pair of proxies (A: plain in,
 * mTLS out; B: mTLS in with the client certificate verified, plain out).
 */
public interface SystemUnderTest extends AutoCloseable {
    String name();

    /** Where the load generator sends {@code path} ("/1k", "/2b") speaking {@code protocol}. */
    H2load.Target target(Protocol protocol, String path);

    /** Proxy A then proxy B; empty for the direct path. */
    List<Launched> proxies();

    /** B's mTLS port, for the handshake test. */
    Optional<Integer> mtlsPort();

    /** The client certificate A presents to B (and the handshake test and the TLS probe with it). */
    default Optional<PemFiles> mtlsClient() {
        return Optional.empty();
    }

    /** The name A expects in B's certificate, sent as SNI; empty when A checks a SPIFFE ID instead. */
    default Optional<String> serverName() {
        return Optional.empty();
    }

    /** The Host a request to B carries. */
    default String bHost() {
        return "localhost";
    }

    /** The JVMs' {@code -Xlog:jit+compilation} files, one per proxy; empty for a system without a JVM. */
    default List<java.nio.file.Path> jitLogs() {
        return List.of();
    }

    /** The JVMs' GC logs, kept with the run's report. */
    default List<java.nio.file.Path> gcLogs() {
        return List.of();
    }

    /** How the TLS parameters are pinned in this system's configuration, for the report. */
    default String tlsPinning() {
        return "–";
    }

    /** Connections opened between the proxies and requests carried over them so far, if the system counts them. */
    Optional<ReuseCounts> reuse();

    @Override
    void close();

    /** Counters from which the share of requests on pooled connections follows. */
    record ReuseCounts(long connections, long requests) {
        public ReuseCounts minus(ReuseCounts earlier) {
            return new ReuseCounts(connections - earlier.connections, requests - earlier.requests);
        }

        /** Requests that did not open a connection, as a share of all requests. */
        public double pooledShare() {
            return requests == 0 ? Double.NaN : Math.max(0, requests - connections) / (double) requests;
        }
    }
}
