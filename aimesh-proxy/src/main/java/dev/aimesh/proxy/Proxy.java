package dev.aimesh.proxy;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import dev.aimesh.core.registry.ConfigSnapshot;
import dev.aimesh.proxy.agent.AuditReporter;
import dev.aimesh.proxy.agent.BootstrapException;
import dev.aimesh.proxy.agent.ConfigStreamClient;
import dev.aimesh.proxy.agent.Enrollment;
import dev.aimesh.proxy.agent.StateDirectory;
import dev.aimesh.proxy.filter.authn.JwksSources;
import dev.aimesh.proxy.filter.netpol.ConnectionAdmission;
import dev.aimesh.proxy.agent.PolicyCompiler;
import dev.aimesh.proxy.agent.SnapshotAssembler;
import dev.aimesh.proxy.agent.WorkloadIdentity;
import dev.aimesh.proxy.inbound.InboundChain;
import dev.aimesh.proxy.inbound.InboundListener;
import dev.aimesh.proxy.net.EventLoops;
import dev.aimesh.proxy.outbound.OutboundChain;
import dev.aimesh.proxy.outbound.OutboundListener;
import dev.aimesh.proxy.outbound.PeerRoute;
import dev.aimesh.proxy.snapshot.ProxySnapshot;
import dev.aimesh.proxy.snapshot.SnapshotHolder;
import dev.aimesh.proxy.tls.MeshTls;
import dev.aimesh.proxy.upstream.Http1UpstreamPool;
import dev.aimesh.proxy.http.UpstreamConnector;
import dev.aimesh.proxy.upstream.Http2Upstream;
import dev.aimesh.proxy.warmup.DataPathWarmUp;

/**
 * A running proxy beside one workload: its identity (joined with the token or resumed from its state
 * directory, renewed at half-life), the config stream, and its listeners. A renewed SVID is used by new connections at once; open ones keep
 * going. Each received config becomes one {@link ProxySnapshot} published through one {@link SnapshotHolder}: a change applies to
 * the next exchange, and an exchange under way keeps the version it started with.
 */
public final class Proxy implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Proxy.class);
    private static final Duration FIRST_CONFIG_TIMEOUT = Duration.ofSeconds(15);

    private final WorkloadIdentity identity;
    private final EventLoops loops;
    private final MeshTls tls;
    private final SnapshotHolder snapshots;
    private final SnapshotAssembler assembler;
    /** Connections to other proxies, one per peer the registry lists: the outbound route makes each and retires it. */
    private final PeerRoute peerRoute;
    private final List<Http2Upstream> peers = new CopyOnWriteArrayList<>();
    /** What the retired peers' connectors had counted. */
    private final java.util.concurrent.atomic.LongAdder retiredPeerConnections = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder retiredPeerRequests = new java.util.concurrent.atomic.LongAdder();
    private final Optional<UpstreamConnector> model;
    private final Optional<InboundListener> inbound;
    private final Optional<OutboundListener> outbound;
    private final ConfigStreamClient config;
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
        this.audit = AuditReporter.toControlPlane(identity, clock, this::configStreaming);
        String[] self = identity.workload().split("/", 2);
        this.policies = new PolicyCompiler(self[0], self[1], jwks, clock);
        int modelPort = options.upstream().map(InetSocketAddress::getPort).orElse(0);
        // The stored snapshot is compiled before anything starts, and enforced before any listener opens: never serve
        // without policy.
        Optional<PolicyCompiler.Result.Compiled> stored = Optional.empty();
        if (lastGood.isPresent()) {
            switch (policies.compile(lastGood.get())) {
                case PolicyCompiler.Result.Rejected rejected -> {
                    jwks.close();
                    audit.close();
                    throw new BootstrapException(state.orElseThrow().path().resolve(StateDirectory.SNAPSHOT)
                            + ": the stored snapshot cannot be enforced (" + rejected.reason() + "); refusing to serve without policy",
                            null);
                }
                case PolicyCompiler.Result.Compiled compiled -> stored = Optional.of(compiled);
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
        Optional<InboundChain> inboundChain = options.inboundListen().map(listen -> new InboundChain(model.orElseThrow(),
                modelPort, clock, audit));
        this.peerRoute = new PeerRoute((address, id) -> {
            Http2Upstream peer = Http2Upstream.mesh(address, id, tls, loops, options.limits());
            peers.add(peer);
            return peer;
        });
        Optional<OutboundChain> outboundChain = options.outboundListen().map(listen -> new OutboundChain(peerRoute, audit));
        // before any listener opens or the proxy is advertised: the first real calls find the data path compiled
        DataPathWarmUp.run(options.warmUp(), loops, tls, identity.svid().id(), options.limits(), options.upstreamHttp2());
        this.assembler = new SnapshotAssembler(self[0], self[1], modelPort, new ProxyChains(inboundChain, outboundChain));
        this.snapshots = new SnapshotHolder(assembler.initial());
        if (stored.isPresent()) {
            publish(lastGood.get(), stored.get(), identity.bundle());
        }
        ConnectionAdmission admission = new ConnectionAdmission(snapshots);
        this.inbound = options.inboundListen().map(listen -> new InboundListener(listen, loops, tls, identity.svid().id(),
                new SnapshotHolder.Source(snapshots, ProxySnapshot.Side.INBOUND), options.limits(), admission,
                new InboundListener.Refusals(audit)));
        this.outbound = options.outboundListen().map(listen -> new OutboundListener(listen, loops,
                new SnapshotHolder.Source(snapshots, ProxySnapshot.Side.OUTBOUND), options.limits()));
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

    /** Whether the config stream is up (true before it exists: nothing is known yet). */
    private boolean configStreaming() {
        ConfigStreamClient stream = config;
        return stream == null || stream.streaming();
    }

    /** Compiles the snapshot's policies for this workload; a snapshot that cannot be is refused whole. */
    private Optional<String> apply(ConfigSnapshot snapshot, dev.aimesh.identity.x509.TrustBundle bundle) {
        switch (policies.compile(snapshot)) {
            case PolicyCompiler.Result.Rejected rejected -> {
                log.warn("refused config {}: {}; the last good config stays", snapshot.version(), rejected.reason());
                return Optional.of(rejected.reason());
            }
            case PolicyCompiler.Result.Compiled compiled -> {
                publish(snapshot, compiled, bundle);
                for (UpstreamConnector gone : peerRoute.retainListed(snapshot)) {
                    retiredPeerConnections.add(gone.counters().connections()); // the stats stay counters
                    retiredPeerRequests.add(gone.counters().requests());
                    peers.remove(gone);
                    log.info("{} is no longer in the registry: its connections close as their calls end", gone.describe());
                }
                return Optional.empty();
            }
        }
    }

    /** One snapshot, policy and chains, published at once; kept on disk before the ACK (on a gRPC thread, not an event loop). */
    private void publish(ConfigSnapshot snapshot, PolicyCompiler.Result.Compiled compiled,
            dev.aimesh.identity.x509.TrustBundle bundle) {
        snapshots.publish(assembler.assemble(snapshot, compiled));
        // The bundle is taken here already so that the bundle file matches the snapshot.
        identity.updateBundle(bundle);
        save(s -> s.saveIdentity(identity.svid(), identity.bundle()));
        save(s -> s.saveSnapshot(identity.workload(), snapshot));
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
                if (resume.state().note().isPresent()) {
                    log.warn("{}", resume.why());
                } else {
                    log.info("{}", resume.why());
                }
                identity = WorkloadIdentity.resume(options.controlPlane(), resume.state().workload(), resume.state().svid(),
                        resume.state().bundle(), options.clock());
                lastGood = resume.state().snapshot();
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
        while (proxy.registry() == null) {
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

    /** The registry of the snapshot in force, or null before the first. */
    public ConfigSnapshot registry() {
        return snapshots.current().registry().registry();
    }

    /** The snapshot in force: its version, policy and chains. */
    public ProxySnapshot snapshot() {
        return snapshots.current();
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
