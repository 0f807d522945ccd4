package dev.aimesh.proxy;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import dev.aimesh.core.registry.ConfigSnapshot;
import dev.aimesh.proxy.agent.AuditReporter;
import dev.aimesh.proxy.agent.BootstrapException;
import dev.aimesh.proxy.agent.ConfigStreamClient;
import dev.aimesh.proxy.agent.Enrollment;
import dev.aimesh.proxy.agent.StateDirectory;
import dev.aimesh.proxy.filter.authn.InboundAuthentication;
import dev.aimesh.proxy.filter.authn.JwksSources;
import dev.aimesh.proxy.filter.authz.InboundAuthorization;
import dev.aimesh.proxy.filter.netpol.ConnectionAdmission;
import dev.aimesh.proxy.agent.PolicyCompiler;
import dev.aimesh.proxy.agent.WorkloadIdentity;
import dev.aimesh.proxy.inbound.InboundListener;
import dev.aimesh.proxy.inbound.InboundRouter;
import dev.aimesh.proxy.net.EventLoops;
import dev.aimesh.proxy.outbound.OutboundListener;
import dev.aimesh.proxy.outbound.OutboundRouter;
import dev.aimesh.proxy.tls.MeshTls;
import dev.aimesh.proxy.upstream.Http1UpstreamPool;
import dev.aimesh.proxy.http.UpstreamConnector;
import dev.aimesh.proxy.upstream.Http2Upstream;

/**
 * A running proxy beside one workload: its identity (joined with the token or resumed from its state
 * directory, renewed at half-life), the config stream, and its listeners. A renewed SVID is used by new connections at once; open ones keep
 * going. The registry snapshot is swapped atomically, so a change applies to the next request.
 */
public final class Proxy implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Proxy.class);
    private static final Duration FIRST_CONFIG_TIMEOUT = Duration.ofSeconds(15);

    private final WorkloadIdentity identity;
    private final EventLoops loops;
    private final MeshTls tls;
    private final AtomicReference<ConfigSnapshot> registry = new AtomicReference<>();
    /** Connections to other proxies, one per peer the registry lists: the outbound router makes each and retires it. */
    private final List<Http2Upstream> peers = new CopyOnWriteArrayList<>();
    /** What the retired peers' connectors had counted. */
    private final java.util.concurrent.atomic.LongAdder retiredPeerConnections = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder retiredPeerRequests = new java.util.concurrent.atomic.LongAdder();
    private final Optional<UpstreamConnector> model;
    private final Optional<InboundListener> inbound;
    private final Optional<OutboundListener> outbound;
    private final OutboundRouter router;
    private final ConfigStreamClient config;
    private final InboundAuthorization authorization;
    private final InboundAuthentication authentication;
    private final ConnectionAdmission admission;
    private final JwksSources jwks = new JwksSources();
    private final PolicyCompiler policies;
    private final Optional<StateDirectory> state;
    private final AuditReporter audit;
    private final java.time.InstantSource clock;
    private final java.util.concurrent.atomic.AtomicReference<String> fatal = new java.util.concurrent.atomic.AtomicReference<>();
    private volatile java.util.function.Consumer<String> onFatal = why -> { };
    private final java.util.concurrent.ScheduledExecutorService watchdog = java.util.concurrent.Executors
            .newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("proxy-watchdog").factory());

    private Proxy(ProxyOptions options, WorkloadIdentity identity, Optional<StateDirectory> state,
            Optional<ConfigSnapshot> lastGood) throws BootstrapException {
        this.identity = identity;
        this.state = state;
        this.clock = options.clock();
        this.audit = AuditReporter.toControlPlane(identity, clock);
        this.authentication = new InboundAuthentication(audit);
        String[] self = identity.workload().split("/", 2);
        this.policies = new PolicyCompiler(self[0], self[1], jwks, clock);
        this.admission = new ConnectionAdmission(self[0], self[1], options.upstream().map(InetSocketAddress::getPort).orElse(0));
        this.authorization = new InboundAuthorization(options.upstream().map(InetSocketAddress::getPort).orElse(0), clock, audit);
        // The stored snapshot is enforced before any listener opens: never serve without policy.
        if (lastGood.isPresent()) {
            Optional<String> problem = apply(lastGood.get(), identity.bundle());
            if (problem.isPresent()) {
                jwks.close();
                audit.close();
                throw new BootstrapException(state.orElseThrow().path().resolve(StateDirectory.SNAPSHOT)
                        + ": the stored snapshot cannot be enforced (" + problem.get() + "); refusing to serve without policy", null);
            }
        }
        save(s -> s.saveIdentity(identity.svid(), identity.bundle()));
        identity.onSvidChange(svid -> save(s -> s.saveIdentity(svid, identity.bundle())));
        this.loops = new EventLoops(options.threads(), "aimesh-proxy");
        this.tls = new MeshTls(identity::svid, identity::bundle, identity.trustDomain(), options.clock(), options.allowTls12());
        identity.onSvidChange(svid -> tls.svidChanged());
        identity.startRenewal();
        this.model = options.upstream().map(address -> options.upstreamHttp2()
                ? Http2Upstream.cleartext(address, loops, options.limits())
                : new Http1UpstreamPool(address, loops, options.limits()));
        this.inbound = options.inboundListen().map(listen -> new InboundListener(listen, loops, tls, identity.svid().id(),
                new InboundRouter(model.orElseThrow(), admission, authentication, authorization, audit), options.limits(),
                admission, new InboundListener.Refusals(audit)));
        this.router = new OutboundRouter(registry::get, (address, id) -> {
            Http2Upstream peer = Http2Upstream.mesh(address, id, tls, loops, options.limits());
            peers.add(peer);
            return peer;
        }, admission::refuseEgress, audit);
        this.outbound = options.outboundListen().map(listen -> new OutboundListener(listen, loops, router, options.limits()));
        String advertised = inbound.map(l -> options.advertiseHost() + ":" + l.address().getPort()).orElse("");
        this.config = new ConfigStreamClient(identity, identity.workload() + "@" + ProcessHandle.current().pid(), advertised,
                this::apply);
        config.start();
        watchdog.scheduleWithFixedDelay(this::checkHealth, 1, 1, java.util.concurrent.TimeUnit.SECONDS);
        log.info("proxy for {} ({}) ready: inbound {}, outbound {}, TLS by {}, {} transport", identity.workload(),
                identity.svid().id(), inbound.map(l -> l.address().toString()).orElse("none"),
                outbound.map(l -> l.address().toString()).orElse("none"), tls.providerName(),
                loops.nativeTransport() ? "epoll" : "NIO");
    }

    /** Compiles the snapshot's policies for this workload; a snapshot that cannot be is refused whole. */
    private Optional<String> apply(ConfigSnapshot snapshot, dev.aimesh.identity.x509.TrustBundle bundle) {
        switch (policies.compile(snapshot)) {
            case PolicyCompiler.Result.Rejected rejected -> {
                log.warn("refused config {}: {}; the last good config stays", snapshot.version(), rejected.reason());
                return Optional.of(rejected.reason());
            }
            case PolicyCompiler.Result.Compiled compiled -> {
                admission.use(compiled.config(), snapshot);
                authorization.use(compiled.authorizer(), compiled.forwardedPath());
                authentication.use(compiled.authenticator());
                registry.set(snapshot);
                if (router != null) { // null while the stored snapshot is applied, before the router exists
                    for (UpstreamConnector gone : router.retainListed(snapshot)) {
                        retiredPeerConnections.add(gone.counters().connections()); // the stats stay counters
                        retiredPeerRequests.add(gone.counters().requests());
                        peers.remove(gone);
                        log.info("{} is no longer in the registry: its connections close as their calls end", gone.describe());
                    }
                }
                // Kept on disk before the ACK; this runs on a gRPC thread, not an event loop. The bundle is taken
                // here already so that the bundle file matches the snapshot.
                identity.updateBundle(bundle);
                save(s -> s.saveIdentity(identity.svid(), identity.bundle()));
                save(s -> s.saveSnapshot(identity.workload(), snapshot));
                return Optional.empty();
            }
        }
    }

    /**
     * Takes up the identity and snapshot kept in the state directory, or else joins the mesh with the token
     * (see {@link Enrollment}), and starts the listeners; returns once a config is enforced: the stored one
     * at once, a pushed one when it arrives.
     */
    public static Proxy start(ProxyOptions options) throws BootstrapException, InterruptedException {
        Optional<StateDirectory> state = openState(options.stateDir());
        StateDirectory.Stored stored = state.map(s -> s.load(options.clock()))
                .orElseGet(() -> new StateDirectory.Stored.Empty("no state directory was given"));
        WorkloadIdentity identity;
        Optional<ConfigSnapshot> lastGood = Optional.empty();
        switch (Enrollment.decide(stored, options.token())) {
            case Enrollment.Refused refused -> throw new BootstrapException(refused.reason(), null);
            case Enrollment.Join join -> {
                state.ifPresent(s -> log.info("joining with the token: {}", join.why()));
                identity = WorkloadIdentity.bootstrap(options.controlPlane(), join.token(), options.clock());
            }
            case Enrollment.Resume resume -> {
                log.info("{}", resume.why());
                identity = WorkloadIdentity.resume(options.controlPlane(), resume.state().workload(), resume.state().svid(),
                        resume.state().bundle(), options.clock());
                lastGood = Optional.of(resume.state().snapshot());
            }
        }
        Proxy proxy;
        try {
            proxy = new Proxy(options, identity, state, lastGood);
        } catch (BootstrapException | RuntimeException e) {
            identity.close();
            throw e;
        }
        Instant deadline = Instant.now().plus(FIRST_CONFIG_TIMEOUT);
        while (proxy.registry.get() == null) {
            if (Instant.now().isAfter(deadline)) {
                proxy.close();
                throw new BootstrapException("no configuration arrived from the control plane within "
                        + FIRST_CONFIG_TIMEOUT.toSeconds() + "s", null);
            }
            Thread.sleep(20);
        }
        return proxy;
    }

    private static Optional<StateDirectory> openState(Optional<java.nio.file.Path> dir) throws BootstrapException {
        if (dir.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(StateDirectory.open(dir.get()));
        } catch (java.io.IOException e) {
            throw new BootstrapException(e.getMessage(), e);
        }
    }

    /** A write to the state directory; a failure is logged, since what is enforced stays right in memory. */
    @FunctionalInterface
    private interface StateWrite {
        boolean write(StateDirectory state) throws java.io.IOException;
    }

    private void save(StateWrite write) {
        state.ifPresent(s -> {
            try {
                write.write(s);
            } catch (java.io.IOException | RuntimeException e) {
                log.warn("cannot keep the proxy's state in {} ({}); a restart without the control plane would not have it",
                        s.path(), e.toString());
            }
        });
    }

    public WorkloadIdentity identity() {
        return identity;
    }

    public Optional<InetSocketAddress> inboundAddress() {
        return inbound.map(InboundListener::address);
    }

    public Optional<InetSocketAddress> outboundAddress() {
        return outbound.map(OutboundListener::address);
    }

    public ProxyStats stats() {
        long peerConnections = retiredPeerConnections.sum();
        long peerRequests = retiredPeerRequests.sum();
        for (Http2Upstream peer : peers) {
            peerConnections += peer.counters().connections();
            peerRequests += peer.counters().requests();
        }
        return new ProxyStats(inbound.map(l -> l.counters().connections()).orElse(0L),
                outbound.map(l -> l.counters().connections()).orElse(0L), peerConnections, peerRequests,
                model.map(m -> m.counters().connections()).orElse(0L), model.map(m -> m.counters().requests()).orElse(0L));
    }

    /**
     * Why this proxy can no longer do its job, once it cannot (an event loop dead, the config stream beyond
     * retry): {@code /ready} then answers 503 with it, and {@link #onFatal} hears it once. Empty while healthy.
     */
    public Optional<String> problem() {
        return Optional.ofNullable(fatal.get());
    }

    /** Called once, from a watchdog thread, when {@link #problem} appears; {@code aimesh proxy} exits on it. */
    public void onFatal(java.util.function.Consumer<String> action) {
        this.onFatal = action;
        if (fatal.get() != null) {
            action.accept(fatal.get());
        }
    }

    private void checkHealth() {
        Optional<String> dead = loops.deadLoop();
        if (dead.isEmpty() && !config.alive()) {
            dead = Optional.of("the config stream can no longer reconnect: policy changes would not arrive");
        }
        if (dead.isPresent() && fatal.compareAndSet(null, dead.get())) {
            log.error("the proxy for {} cannot go on: {}", identity.workload(), dead.get());
            onFatal.accept(dead.get());
        }
    }

    /** The snapshot in force. */
    public ConfigSnapshot registry() {
        return registry.get();
    }

    public String appliedConfigVersion() {
        return config.appliedVersion();
    }

    @Override
    public void close() {
        watchdog.shutdownNow();
        config.close();
        jwks.close();
        outbound.ifPresent(OutboundListener::close);
        inbound.ifPresent(InboundListener::close);
        peers.forEach(Http2Upstream::close);
        model.ifPresent(m -> {
            if (m instanceof AutoCloseable c) {
                try {
                    c.close();
                } catch (Exception e) {
                    log.debug("closing the upstream pool failed", e);
                }
            }
        });
        loops.close();
        audit.close(); // after the listeners, so their last refusals go too; before the identity, whose channel it uses
        identity.close();
    }
}
