package dev.aimesh.cli;

import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import dev.aimesh.core.identity.JoinToken;
import dev.aimesh.proxy.Proxy;
import dev.aimesh.proxy.ProxyOptions;
import dev.aimesh.proxy.warmup.WarmUpConfig;
import dev.aimesh.proxy.admin.AdminListener;
import dev.aimesh.proxy.agent.BootstrapException;
import dev.aimesh.proxy.http.ProxyLimits;
import dev.aimesh.proxy.net.Concurrency;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "proxy", mixinStandardHelpOptions = true,
        description = {"Runs the proxy beside one workload: joins the mesh with a join token, then serves an inbound"
                + " mTLS listener in front of the model server and/or an outbound loopback listener for the app.",
                "The certificate renews itself; config follows the control plane's stream.",
                "With --state-dir, the SVID, its key, the trust bundle and the last good config are kept there, so a restart"
                        + " needs no token and, without the control plane, still enforces that config."},
        footerHeading = "%nExamples:%n",
        footer = {"  # in front of a model server on :8000",
                "  aimesh proxy --workload models/sentiment --token jt1... --inbound-listen 0.0.0.0:15006 --upstream 127.0.0.1:8000",
                "  # beside an app, which then calls http://127.0.0.1:15001 with Host: sentiment.models",
                "  aimesh proxy --token jt1... --outbound-listen 127.0.0.1:15001",
                "  # keeps its state, so that it restarts without a token, even while the control plane is away",
                "  aimesh proxy --token jt1... --state-dir /var/lib/aimesh/sentiment --grpc-address 10.0.0.5:15012 \\",
                "      --inbound-listen 0.0.0.0:15006 --upstream 127.0.0.1:8000",
                "  # with counters for scraping: curl http://127.0.0.1:15000/stats",
                "  aimesh proxy --workload apps/chat --token jt1... --admin-listen 127.0.0.1:15000"})
final class ProxyCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ControlPlaneMixin controlPlane;

    @Option(names = "--grpc-address", paramLabel = "HOST:PORT", converter = HostPort.class,
            description = "The control plane's gRPC address; by default asked from --control-plane.")
    InetSocketAddress grpcAddress;

    @Option(names = "--token", paramLabel = "TOKEN", defaultValue = "${env:AIMESH_JOIN_TOKEN}",
            description = "Join token (or env AIMESH_JOIN_TOKEN).")
    String token;

    @Option(names = "--state-dir", paramLabel = "DIR", defaultValue = "${env:AIMESH_PROXY_STATE_DIR}",
            description = {"Keep the SVID, its key, the trust bundle and the last good config here (created owner-only;"
                    + " or env AIMESH_PROXY_STATE_DIR). A restart with a valid state needs no token, and enforces the kept"
                    + " config at once, also without the control plane (then give --grpc-address and listener options).",
                    "Default: none (state in memory only)."})
    Path stateDir;

    @Option(names = "--workload", paramLabel = "NAME", description = "Check that the token is for this workload (name or namespace/name).")
    String workload;

    @Option(names = "--inbound-listen", paramLabel = "HOST:PORT", converter = HostPort.class,
            description = "mTLS listener in front of the model server.")
    InetSocketAddress inboundListen;

    @Option(names = "--upstream", paramLabel = "HOST:PORT", converter = HostPort.class, description = "The model server.")
    InetSocketAddress upstream;

    @Option(names = "--upstream-protocol", paramLabel = "PROTOCOL", defaultValue = "http",
            description = "http (HTTP/1.1) or h2c (HTTP/2 without TLS, e.g. gRPC) (default: ${DEFAULT-VALUE}).")
    String upstreamProtocol;

    @Option(names = "--outbound-listen", paramLabel = "HOST:PORT", converter = HostPort.class,
            description = "Plain HTTP listener on loopback for the app's calls.")
    InetSocketAddress outboundListen;

    @Option(names = "--advertise", paramLabel = "HOST", defaultValue = "127.0.0.1",
            description = "Address other proxies use to reach the inbound listener (default: ${DEFAULT-VALUE}).")
    String advertise;

    @Option(names = "--allow-tls12", description = "Accept TLS 1.2 between proxies as well as TLS 1.3 (default: 1.3 only).")
    boolean allowTls12;

    @Option(names = "--admin-listen", paramLabel = "HOST:PORT", converter = HostPort.class,
            description = "Serve GET /ready and GET /stats (Prometheus text) here; keep it on loopback (default: off).")
    InetSocketAddress adminListen;

    @Option(names = "--request-headers-timeout", paramLabel = "DURATION", defaultValue = "10s", converter = DurationConverter.class,
            description = "Time an HTTP/1.1 client has to send a whole request head before it gets 408 (default: ${DEFAULT-VALUE}).")
    java.time.Duration requestHeadersTimeout;

    @Option(names = "--headers-with-underscores", paramLabel = "ACTION", defaultValue = "drop",
            description = "drop (remove request headers whose name has an underscore) or refuse (answer 400) (default: ${DEFAULT-VALUE}).")
    String headersWithUnderscores;

    @Option(names = "--concurrency", paramLabel = "N",
            description = {"Event loops, each one thread serving its own connections, as Envoy's --concurrency"
                    + " (1 to " + Concurrency.MAX + ").",
                    "Default: one per core this process may use (taskset and cgroup CPU limits count)."})
    Integer concurrency;

    /** The option's earlier name, still accepted. */
    @Option(names = "--threads", paramLabel = "N", hidden = true)
    Integer threads;

    @Option(names = "--max-streams-per-peer", paramLabel = "N", defaultValue = "1024",
            description = {"Concurrent HTTP/2 streams and HTTP/1.1 exchanges one caller identity (SPIFFE ID) may hold on the"
                    + " inbound listener across all its connections; beyond, a stream is reset REFUSED_STREAM and an HTTP/1.1"
                    + " request gets 503 peer-stream-limit (default: ${DEFAULT-VALUE})."})
    int maxStreamsPerPeer;

    // the default can come from the JVM (-Daimesh.proxy.warm-up=0), so that bench/run's --jvm variants compare it
    @Option(names = "--warm-up", paramLabel = "DURATION", defaultValue = "${sys:aimesh.proxy.warm-up:-2s}",
            converter = DurationConverter.class,
            description = {"Before it serves, call through its own data path on loopback (a throwaway model, listeners"
                    + " and an mTLS connection, nothing advertised) for this long, so that the first real calls find it"
                    + " compiled instead of waiting for the JIT; 0 skips it (default: ${DEFAULT-VALUE})."})
    java.time.Duration warmUp;

    /** What the control plane says, asked once when the command line leaves something to it. */
    private ProxyBootstrap bootstrap;

    private ProxyBootstrap bootstrap() {
        if (bootstrap == null) {
            bootstrap = ProxyBootstrap.fetch(controlPlane.url, controlPlane.tokenFile);
        }
        return bootstrap;
    }

    /** Without listener flags, the Workload resource says what to listen on (inbound on all interfaces). */
    private void listenersFromResource() {
        if (workload == null) {
            throw new CliException(ExitCodes.USAGE, "give --workload (to use its Workload resource) or listener options"
                    + " (--inbound-listen with --upstream, and/or --outbound-listen)");
        }
        ProxyBootstrap.Listeners entry = bootstrap().workload(workload)
                .orElseThrow(() -> new CliException(ExitCodes.FAILED, "no workload '" + workload + "' in the config"));
        Optional<String> inboundPort = entry.field("inbound-port");
        if (inboundPort.isPresent()) {
            Optional<String> declared = entry.field("upstream");
            if (upstream == null && declared.isEmpty()) {
                throw new CliException(ExitCodes.USAGE, "Workload " + workload + " has no spec.inbound.upstream: pass --upstream");
            }
            inboundListen = new InetSocketAddress("0.0.0.0", Integer.parseInt(inboundPort.get()));
            upstream = upstream != null ? upstream : HostPort.parse(declared.get());
            upstreamProtocol = entry.field("protocol").orElse("http");
        }
        Optional<String> outboundPort = entry.field("outbound-port");
        if (outboundPort.isPresent()) {
            outboundListen = new InetSocketAddress("127.0.0.1", Integer.parseInt(outboundPort.get()));
        }
        if (inboundListen == null && outboundListen == null) {
            throw new CliException(ExitCodes.USAGE, "Workload " + workload + " declares neither spec.inbound nor spec.outbound;"
                    + " pass listener options");
        }
    }

    private ProxyLimits limits() {
        return ProxyLimits.builder().requestHeadersTimeout(requestHeadersTimeout).underscoreHeaders(
                headersWithUnderscores.equals("refuse") ? ProxyLimits.UnderscoreHeaders.REFUSE : ProxyLimits.UnderscoreHeaders.DROP)
                .maxStreamsPerPeer(maxStreamsPerPeer).build();
    }

    @Override
    public Integer call() throws InterruptedException {
        boolean hasToken = token != null && !token.isBlank();
        if (!hasToken && stateDir == null) {
            throw new CliException(ExitCodes.USAGE, "a join token is required: --token or env AIMESH_JOIN_TOKEN"
                    + " (or --state-dir holding the state of an earlier run)");
        }
        if (!upstreamProtocol.equals("http") && !upstreamProtocol.equals("h2c")) {
            throw new CliException(ExitCodes.USAGE, "--upstream-protocol: '" + upstreamProtocol + "' (expected: http or h2c)");
        }
        if (!headersWithUnderscores.equals("drop") && !headersWithUnderscores.equals("refuse")) {
            throw new CliException(ExitCodes.USAGE, "--headers-with-underscores: '" + headersWithUnderscores
                    + "' (expected: drop or refuse)");
        }
        if (maxStreamsPerPeer < 1) {
            throw new CliException(ExitCodes.USAGE, "--max-streams-per-peer: " + maxStreamsPerPeer + " (expected: >= 1)");
        }
        Concurrency loops;
        try {
            loops = Concurrency.of(concurrency != null ? concurrency : threads, Runtime.getRuntime()::availableProcessors);
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCodes.USAGE, e.getMessage());
        }
        Optional<JoinToken> joinToken;
        try {
            joinToken = hasToken ? Optional.of(JoinToken.parse(token)) : Optional.empty();
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCodes.USAGE, "--token: " + e.getMessage());
        }
        InetSocketAddress grpc = grpcAddress != null ? grpcAddress : bootstrap().grpc();
        if (inboundListen == null && outboundListen == null) {
            listenersFromResource();
        }
        ProxyOptions options;
        try {
            options = new ProxyOptions(grpc, joinToken, Optional.ofNullable(stateDir), Optional.ofNullable(inboundListen), Optional.ofNullable(upstream),
                    upstreamProtocol.equals("h2c"), Optional.ofNullable(outboundListen), advertise, allowTls12, limits(),
                    loops.loops(), InstantSource.system(), WarmUpConfig.of(warmUp));
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCodes.USAGE, e.getMessage());
        }
        Proxy proxy;
        try {
            proxy = Proxy.start(options);
        } catch (BootstrapException e) {
            throw new CliException(e.getMessage().startsWith("cannot reach") ? ExitCodes.UNREACHABLE : ExitCodes.FAILED, e.getMessage());
        }
        if (workload != null && !proxy.identity().workload().equals(workload)
                && !proxy.identity().workload().endsWith("/" + workload)) {
            proxy.close();
            throw new CliException(ExitCodes.USAGE, "this proxy's identity (from the token or the state directory) is for "
                    + proxy.identity().workload() + ", not " + workload);
        }
        AdminListener admin;
        try {
            admin = adminListen == null ? null : new AdminListener(adminListen, proxy::stats, proxy::problem);
        } catch (RuntimeException e) {
            proxy.close();
            throw new CliException(ExitCodes.FAILED, "--admin-listen " + HostPort.format(adminListen) + ": cannot listen ("
                    + e.getMessage() + ")");
        }
        // A proxy that can no longer take policy changes or serve must not go on looking alive: exit loudly, and
        // let the supervisor (systemd, Kubernetes, aimesh up) start a fresh one from the state directory.
        proxy.onFatal(why -> {
            System.err.println("aimesh proxy: exiting: " + why);
            System.exit(ExitCodes.FAILED); // the shutdown hook still closes the proxy, so queued audit events go out
        });
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (admin != null) {
                admin.close();
            }
            proxy.close();
            stopped.countDown();
        }));
        PrintWriter out = spec.commandLine().getOut();
        out.printf("proxy for %s (%s) ready: inbound %s, outbound %s, admin %s%n", proxy.identity().workload(),
                proxy.identity().svid().id(), proxy.inboundAddress().map(HostPort::format).orElse("none"),
                proxy.outboundAddress().map(HostPort::format).orElse("none"),
                admin == null ? "none" : HostPort.format(admin.address()));
        out.flush();
        stopped.await();
        return ExitCodes.OK;
    }
}
