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
import dev.aimesh.proxy.filter.authn.InboundAuthentication;
import dev.aimesh.proxy.filter.authn.JwksSources;
import dev.aimesh.proxy.filter.authz.InboundAuthorization;
import dev.aimesh.proxy.filter.netpol.ConnectionAdmission;
import dev.aimesh.proxy.filter.authz.PolicyCompiler;
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
 * A running proxy beside one workload: its identity (joined with the token, renewed at half-life), the
 * config stream, and its listeners. A renewed SVID is used by new connections at once; open ones keep
 * going. The registry snapshot is swapped atomically, so a change applies to the next request.
 */
public final class Proxy implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Proxy.class);
    private static final Duration FIRST_CONFIG_TIMEOUT = Duration.ofSeconds(15);

    private final WorkloadIdentity identity;
    private final EventLoops loops;
    private final MeshTls tls;
    private final AtomicReference<ConfigSnapshot> registry = new AtomicReference<>();
    /** Connections to other proxies, one per peer: the outbound router makes each once and keeps it. */
    private final List<Http2Upstream> peers = new CopyOnWriteArrayList<>();
    private final Optional<UpstreamConnector> model;
    private final Optional<InboundListener> inbound;
    private final Optional<OutboundListener> outbound;
    private final ConfigStreamClient config;
    private final InboundAuthorization authorization;
    private final InboundAuthentication authentication;
    private final ConnectionAdmission admission;
    private final JwksSources jwks = new JwksSources();
    private final AuditReporter audit;
    private final java.time.InstantSource clock;

    private Proxy(ProxyOptions options, WorkloadIdentity identity) {
        this.identity = identity;
        this.clock = options.clock();
        this.loops = new EventLoops(options.threads(), "aimesh-proxy");
        this.tls = new MeshTls(identity::svid, identity::bundle, identity.trustDomain(), options.clock(), options.allowTls12());
        identity.onSvidChange(svid -> tls.svidChanged());
        identity.startRenewal();
        this.model = options.upstream().map(address -> options.upstreamHttp2()
                ? Http2Upstream.cleartext(address, loops, options.limits())
                : new Http1UpstreamPool(address, loops, options.limits()));
        this.audit = AuditReporter.toControlPlane(identity, clock);
        this.authentication = new InboundAuthentication(clock, audit);
        String[] self = identity.workload().split("/", 2);
        this.admission = new ConnectionAdmission(self[0], self[1], options.upstream().map(InetSocketAddress::getPort).orElse(0));
        this.authorization = new InboundAuthorization(options.upstream().map(InetSocketAddress::getPort).orElse(0), clock, audit);
        this.inbound = options.inboundListen().map(listen -> new InboundListener(listen, loops, tls, identity.svid().id(),
                new InboundRouter(model.orElseThrow(), admission, authentication, authorization, clock, audit), options.limits(),
                admission, new InboundListener.Refusals(clock, audit)));
        OutboundRouter router = new OutboundRouter(registry::get, (address, id) -> {
            Http2Upstream peer = Http2Upstream.mesh(address, id, tls, loops, options.limits());
            peers.add(peer);
            return peer;
        }, admission::refuseEgress, clock, audit);
        this.outbound = options.outboundListen().map(listen -> new OutboundListener(listen, loops, router, options.limits()));
        String advertised = inbound.map(l -> options.advertiseHost() + ":" + l.address().getPort()).orElse("");
        this.config = new ConfigStreamClient(identity, identity.workload() + "@" + ProcessHandle.current().pid(), advertised,
                this::apply);
        config.start();
        log.info("proxy for {} ({}) ready: inbound {}, outbound {}, TLS by {}, {} transport", identity.workload(),
                identity.svid().id(), inbound.map(l -> l.address().toString()).orElse("none"),
                outbound.map(l -> l.address().toString()).orElse("none"), tls.providerName(),
                loops.nativeTransport() ? "epoll" : "NIO");
    }

    /** Compiles the snapshot's policies for this workload; a snapshot that cannot be is refused whole. */
    private Optional<String> apply(ConfigSnapshot snapshot, dev.aimesh.identity.x509.TrustBundle bundle) {
        String[] ref = identity.workload().split("/", 2);
        switch (PolicyCompiler.compile(snapshot, ref[0], ref[1], jwks, clock)) {
            case PolicyCompiler.Result.Rejected rejected -> {
                log.warn("refused config {}: {}; the last good config stays", snapshot.version(), rejected.reason());
                return Optional.of(rejected.reason());
            }
            case PolicyCompiler.Result.Compiled compiled -> {
                admission.use(compiled.config(), snapshot);
                authorization.use(compiled.authorizer());
                authentication.use(compiled.authenticator());
                registry.set(snapshot);
                return Optional.empty();
            }
        }
    }

    /** Joins the mesh with the token and starts the listeners; returns once the first config has arrived. */
    public static Proxy start(ProxyOptions options) throws BootstrapException, InterruptedException {
        WorkloadIdentity identity = WorkloadIdentity.bootstrap(options.controlPlane(), options.token(), options.clock());
        Proxy proxy;
        try {
            proxy = new Proxy(options, identity);
        } catch (RuntimeException e) {
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
        long peerConnections = 0;
        long peerRequests = 0;
        for (Http2Upstream peer : peers) {
            peerConnections += peer.counters().connections();
            peerRequests += peer.counters().requests();
        }
        return new ProxyStats(inbound.map(l -> l.counters().connections()).orElse(0L),
                outbound.map(l -> l.counters().connections()).orElse(0L), peerConnections, peerRequests,
                model.map(m -> m.counters().connections()).orElse(0L), model.map(m -> m.counters().requests()).orElse(0L));
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
