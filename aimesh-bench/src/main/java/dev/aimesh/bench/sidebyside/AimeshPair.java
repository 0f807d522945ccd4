package dev.aimesh.bench.sidebyside;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Two {@code aimesh proxy} processes, one event-loop thread each: A's outbound listener takes plain
 * HTTP/1.1 or h2c and reaches B over one pooled HTTP/2 mTLS connection, B verifies the client SVID,
 * adds x-forwarded-client-cert and proxies to the upstream over keep-alive HTTP/1.1.
 */
final class AimeshPair implements SystemUnderTest {
    static final Pattern READY = Pattern.compile("ready: inbound (\\S+), outbound (\\S+), admin (\\S+)");
    private static final Pattern PEER_CONNECTIONS = Pattern.compile("aimesh_proxy_connections_total\\{side=\"peer\"\\} (\\d+)");
    private static final Pattern PEER_REQUESTS = Pattern.compile("aimesh_proxy_requests_total\\{side=\"peer\"\\} (\\d+)");

    private final String name;
    private final Launched a;
    private final Launched b;
    private final String aOutbound;
    private final String aAdmin;
    private final int bPort;
    private final long startupNanos;

    /** @param javaOptions extra JVM options for both proxies ({@code AIMESH_JAVA_OPTS}), empty for the defaults */
    AimeshPair(Workspace ws, AimeshControlPlane cp, int upstreamPort, String name, String javaOptions) {
        this.name = name;
        String tag = name.replaceAll("[^a-zA-Z0-9]+", "-");
        bPort = Workspace.freePort();
        b = server(ws, cp, upstreamPort, bPort, javaOptions, "aimesh-b-" + tag);
        try {
            startupNanos = b.nanosUntilOutput(READY, Duration.ofSeconds(60));
            a = Launched.start("aimesh A", ws.proxyCpus(), List.of(ws.aimesh().toString(), "proxy", "--workload", "bench/client",
                    "--token", cp.token("client"), "--control-plane", cp.admin(), "--outbound-listen", "127.0.0.1:0",
                    "--threads", "1", "--admin-listen", "127.0.0.1:0"), env(javaOptions), ws.dir().resolve("aimesh-a-" + tag + ".log"));
        } catch (RuntimeException e) {
            b.close();
            throw e;
        }
        try {
            Matcher ready = a.awaitOutput(READY, Duration.ofSeconds(60));
            aOutbound = ready.group(2);
            aAdmin = ready.group(3);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Starts a B proxy alone and returns how long it took from launch to its "ready" line. */
    static Duration timeToReady(Workspace ws, AimeshControlPlane cp, int upstreamPort, String javaOptions, int attempt) {
        try (Launched b = server(ws, cp, upstreamPort, Workspace.freePort(), javaOptions, "aimesh-startup-" + attempt)) {
            return Duration.ofNanos(b.nanosUntilOutput(READY, Duration.ofSeconds(60)));
        }
    }

    private static Launched server(Workspace ws, AimeshControlPlane cp, int upstreamPort, int port, String javaOptions, String log) {
        String token = cp.token("server");
        return Launched.start("aimesh B", ws.proxyCpus(), List.of(ws.aimesh().toString(), "proxy", "--workload", "bench/server",
                "--token", token, "--control-plane", cp.admin(), "--inbound-listen", "127.0.0.1:" + port,
                "--upstream", "127.0.0.1:" + upstreamPort, "--threads", "1", "--admin-listen", "127.0.0.1:0"), env(javaOptions),
                ws.dir().resolve(log + ".log"));
    }

    private static Map<String, String> env(String javaOptions) {
        Map<String, String> env = new HashMap<>(AimeshControlPlane.ENV);
        if (!javaOptions.isBlank()) {
            env.put("AIMESH_JAVA_OPTS", javaOptions);
        }
        return env;
    }

    @Override
    public String name() {
        return name;
    }

    /** From B's start to its "ready" line: JVM start, key and CSR, SVID, first config, listeners bound. */
    Duration startup() {
        return Duration.ofNanos(startupNanos);
    }

    @Override
    public H2load.Target target(Protocol protocol, String path) {
        return new H2load.Target("http://" + aOutbound + path, Optional.of("server.bench"));
    }

    @Override
    public List<Launched> proxies() {
        return List.of(a, b);
    }

    @Override
    public Optional<Integer> mtlsPort() {
        return Optional.of(bPort);
    }

    /** A's counters: connections it opened to B and the requests it sent there. */
    @Override
    public Optional<ReuseCounts> reuse() {
        String stats = Http.get("http://" + aAdmin + "/stats", Duration.ofSeconds(5));
        return Optional.of(new ReuseCounts(count(PEER_CONNECTIONS, stats), count(PEER_REQUESTS, stats)));
    }

    private static long count(Pattern p, String stats) {
        Matcher m = p.matcher(stats);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    @Override
    public void close() {
        if (a != null) {
            a.close();
        }
        b.close();
    }
}
