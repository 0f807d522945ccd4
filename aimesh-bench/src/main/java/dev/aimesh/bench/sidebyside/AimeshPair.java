package dev.aimesh.bench.sidebyside;

import java.nio.file.Path;
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
 * adds x-forwarded-client-cert and proxies to the upstream over keep-alive HTTP/1.1. Each JVM writes a GC log
 * and a JIT compilation log (the warm-up's "JIT quiet" test reads it) and is pinned to {@link TlsPins}.
 */
final class AimeshPair implements SystemUnderTest {
    static final Pattern READY = Pattern.compile("ready: inbound (\\S+), outbound (\\S+), admin (\\S+)");
    private static final Pattern PEER_CONNECTIONS = Pattern.compile("aimesh_proxy_connections_total\\{side=\"peer\"\\} (\\d+)");
    private static final Pattern PEER_REQUESTS = Pattern.compile("aimesh_proxy_requests_total\\{side=\"peer\"\\} (\\d+)");
    static final String HOST = "server.bench";

    private final String name;
    private final PemFiles client;
    private final Launched a;
    private final Launched b;
    private final String aOutbound;
    private final String aAdmin;
    private final int bPort;
    private final long startupNanos;
    private final List<Path> jitLogs;
    private final List<Path> gcLogs;

    /**
     * @param javaOptions extra JVM options for both proxies ({@code AIMESH_JAVA_OPTS}), empty for the defaults
     * @param client an SVID of the workload A runs as, for the handshake test and the TLS probe
     */
    AimeshPair(Workspace ws, AimeshControlPlane cp, int upstreamPort, String name, String javaOptions, PemFiles client) {
        this.name = name;
        this.client = client;
        String tag = name.replaceAll("[^a-zA-Z0-9]+", "-");
        jitLogs = List.of(ws.dir().resolve("jit-" + tag + "-a.log"), ws.dir().resolve("jit-" + tag + "-b.log"));
        gcLogs = List.of(ws.dir().resolve("gc-" + tag + "-a.log"), ws.dir().resolve("gc-" + tag + "-b.log"));
        bPort = Workspace.freePort();
        b = server(ws, cp, upstreamPort, bPort, options(javaOptions, 1), "aimesh-b-" + tag);
        try {
            startupNanos = b.nanosUntilOutput(READY, Duration.ofSeconds(60));
            a = Launched.start("aimesh A", ws.proxyCpus(), List.of(ws.aimesh().toString(), "proxy", "--workload", "bench/client",
                    "--token", cp.token("client"), "--grpc-address", cp.grpc(), "--outbound-listen", "127.0.0.1:0",
                    "--concurrency", "1", "--admin-listen", "127.0.0.1:0"), env(options(javaOptions, 0)), ws.dir().resolve("aimesh-a-" + tag + ".log"));
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

    /** The pins, this proxy's GC and JIT logs, then the caller's options (last, so they win). */
    private String options(String javaOptions, int proxy) {
        return TlsPins.jvmOptions() + " -Xlog:gc*:file=" + gcLogs.get(proxy) + " -Xlog:jit+compilation=debug:file=" + jitLogs.get(proxy)
                + (javaOptions.isBlank() ? "" : " " + javaOptions);
    }

    /** Starts a B proxy alone and returns how long it took from launch to its "ready" line. */
    static Duration timeToReady(Workspace ws, AimeshControlPlane cp, int upstreamPort, String javaOptions, int attempt) {
        try (Launched b = server(ws, cp, upstreamPort, Workspace.freePort(), TlsPins.jvmOptions() + " " + javaOptions,
                "aimesh-startup-" + attempt)) {
            return Duration.ofNanos(b.nanosUntilOutput(READY, Duration.ofSeconds(60)));
        }
    }

    private static Launched server(Workspace ws, AimeshControlPlane cp, int upstreamPort, int port, String javaOptions, String log) {
        String token = cp.token("server");
        return Launched.start("aimesh B", ws.proxyCpus(), List.of(ws.aimesh().toString(), "proxy", "--workload", "bench/server",
                "--token", token, "--grpc-address", cp.grpc(), "--inbound-listen", "127.0.0.1:" + port,
                "--upstream", "127.0.0.1:" + upstreamPort, "--concurrency", "1", "--admin-listen", "127.0.0.1:0"), env(javaOptions),
                ws.dir().resolve(log + ".log"));
    }

    private static Map<String, String> env(String javaOptions) {
        Map<String, String> env = new HashMap<>(AimeshControlPlane.ENV);
        if (!javaOptions.isBlank()) {
            env.put("AIMESH_JAVA_OPTS", javaOptions.strip());
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

    /** The JVM options A runs with, as its command line shows them (everything between java and the class path). */
    String jvmFlags() {
        List<String> cmd = ProcessTree.commandLine(a.pid());
        int cp = cmd.indexOf("-cp");
        return String.join(" ", cmd.subList(Math.min(1, cmd.size()), cp < 0 ? cmd.size() : cp));
    }

    @Override
    public H2load.Target target(Protocol protocol, String path) {
        return new H2load.Target("http://" + aOutbound + path, Optional.of(HOST));
    }

    /** A's outbound address ("127.0.0.1:PORT"). */
    String outbound() {
        return aOutbound;
    }

    @Override
    public List<Launched> proxies() {
        return List.of(a, b);
    }

    @Override
    public Optional<Integer> mtlsPort() {
        return Optional.of(bPort);
    }

    @Override
    public Optional<PemFiles> mtlsClient() {
        return Optional.of(client);
    }

    @Override
    public String bHost() {
        return HOST;
    }

    @Override
    public List<Path> jitLogs() {
        return jitLogs;
    }

    @Override
    public List<Path> gcLogs() {
        return gcLogs;
    }

    @Override
    public String tlsPinning() {
        return "`" + TlsPins.jvmOptions() + "` (Netty's OpenSSL group list); TLS 1.3 only; BoringSSL's own TLS 1.3 cipher order "
                + "(not configurable); A pins B's SPIFFE ID";
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
