package dev.aimesh.proxy.warmup;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import io.netty.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import dev.aimesh.core.authz.Authorizer;
import dev.aimesh.core.identity.SpiffeId;
import dev.aimesh.core.registry.ConfigSnapshot;
import dev.aimesh.core.registry.WorkloadEntry;
import dev.aimesh.core.resource.Workload;
import dev.aimesh.proxy.filter.authn.RequestAuthenticator;
import dev.aimesh.proxy.filter.common.SecurityEventSink;
import dev.aimesh.proxy.filter.netpol.ConnectionAdmission;
import dev.aimesh.proxy.http.ProxyLimits;
import dev.aimesh.proxy.http.UpstreamConnector;
import dev.aimesh.proxy.inbound.InboundChain;
import dev.aimesh.proxy.inbound.InboundListener;
import dev.aimesh.proxy.net.EventLoops;
import dev.aimesh.proxy.outbound.OutboundChain;
import dev.aimesh.proxy.outbound.OutboundListener;
import dev.aimesh.proxy.outbound.PeerRoute;
import dev.aimesh.proxy.snapshot.NetworkView;
import dev.aimesh.proxy.snapshot.ProxySnapshot;
import dev.aimesh.proxy.snapshot.RegistryIndex;
import dev.aimesh.proxy.snapshot.SnapshotHolder;
import dev.aimesh.proxy.tls.MeshTls;
import dev.aimesh.proxy.upstream.Http1UpstreamPool;
import dev.aimesh.proxy.upstream.Http2Upstream;

/**
 * Runs the proxy's own data path before the proxy reports ready, so that its first real requests find it
 * compiled instead of paying for the JIT (on a sidecar's one core the first seconds of load otherwise queue
 * behind the compiler). On loopback, with the proxy's event loops, SVID and trust bundle, it builds the same
 * pieces a call goes through — an outbound listener and chain, an mTLS HTTP/2 connection to an inbound listener
 * and chain, a pool to a model — around a {@link WarmUpModel}, and has a {@link WarmUpClient} call through them
 * over HTTP/1.1 and HTTP/2 until its {@link WarmUpConfig} says stop; then closes all of it. Nothing of it is
 * advertised, audited or kept, and a warm-up that fails only logs: the proxy starts either way.
 */
public final class DataPathWarmUp {
    private static final Logger log = LoggerFactory.getLogger(DataPathWarmUp.class);
    /** The workload the warm-up's registry lists: this proxy itself, at the warm-up inbound listener. */
    private static final String NAMESPACE = "aimesh-warm-up";
    private static final String NAME = "model";
    private static final int HTTP1_CONNECTIONS = 4;
    private static final int HTTP2_STREAMS = 4;

    private DataPathWarmUp() {}

    /** What a warm-up did. */
    public record Result(int http1, int http2, int failed, Duration took) {}

    /**
     * Drives the warm-up to its end (blocking the calling thread, never an event loop). {@code modelHttp2}: the
     * model speaks HTTP/2 without TLS, as the proxy's real one does.
     */
    public static Result run(WarmUpConfig config, EventLoops loops, MeshTls tls, SpiffeId self, ProxyLimits limits,
            boolean modelHttp2) {
        long start = System.nanoTime();
        if (config.off()) {
            return new Result(0, 0, 0, Duration.ZERO);
        }
        List<AutoCloseable> opened = new ArrayList<>();
        List<Http2Upstream> peers = new CopyOnWriteArrayList<>();
        WarmUpClient client = null;
        try {
            WarmUpModel model = new WarmUpModel(loops, modelHttp2);
            opened.add(model);
            UpstreamConnector modelPool = modelHttp2 ? Http2Upstream.cleartext(model.address(), loops, limits)
                    : new Http1UpstreamPool(model.address(), loops, limits);
            opened.add((AutoCloseable) modelPool);
            InboundChain inboundChain = new InboundChain(modelPool, model.address().getPort(), InstantSource.system(),
                    SecurityEventSink.NONE);
            OutboundChain outboundChain = new OutboundChain(new PeerRoute((address, id) -> {
                Http2Upstream peer = Http2Upstream.mesh(address, id, tls, loops, limits);
                peers.add(peer);
                return peer;
            }), SecurityEventSink.NONE);
            SnapshotHolder snapshots = new SnapshotHolder(snapshot(ProxySnapshot.Policy.NONE, inboundChain, outboundChain));
            InboundListener inbound = new InboundListener(new InetSocketAddress("127.0.0.1", 0), loops, tls, self,
                    new SnapshotHolder.Source(snapshots, ProxySnapshot.Side.INBOUND), limits, new ConnectionAdmission(snapshots),
                    new InboundListener.Refusals(SecurityEventSink.NONE));
            opened.add(inbound);
            ConfigSnapshot registry = new ConfigSnapshot("warm-up", List.of(new WorkloadEntry(NAMESPACE, NAME, self, Map.of(),
                    List.of("127.0.0.1:" + inbound.address().getPort()))), List.of());
            snapshots.publish(snapshot(policy(registry), inboundChain, outboundChain));
            OutboundListener outbound = new OutboundListener(new InetSocketAddress("127.0.0.1", 0), loops,
                    new SnapshotHolder.Source(snapshots, ProxySnapshot.Side.OUTBOUND), limits);
            opened.add(outbound);

            client = new WarmUpClient(loops, outbound.address(), NAME + "." + NAMESPACE, start + config.budget().toNanos(),
                    config.maxExchanges());
            for (Future<?> connection : client.start(HTTP1_CONNECTIONS, HTTP2_STREAMS)) {
                connection.awaitUninterruptibly(config.budget().toMillis() + limits.connectTimeout().toMillis() * 2,
                        TimeUnit.MILLISECONDS);
            }
        } catch (RuntimeException e) {
            log.warn("the data path warm-up failed (the proxy starts without it): {}", e.toString());
        } finally {
            peers.forEach(Http2Upstream::close);
            for (AutoCloseable c : opened.reversed()) {
                try {
                    c.close();
                } catch (Exception e) {
                    log.debug("closing the warm-up's {}: {}", c, e.toString());
                }
            }
        }
        Result result = client == null ? new Result(0, 0, 1, Duration.ofNanos(System.nanoTime() - start))
                : new Result(client.http1.get(), client.http2.get(), client.failed.get(), Duration.ofNanos(System.nanoTime() - start));
        if (result.failed() > 0) {
            log.warn("data path warm-up: {} calls failed ({} over HTTP/1.1 and {} over HTTP/2 answered, {} ms)", result.failed(),
                    result.http1(), result.http2(), result.took().toMillis());
        } else {
            log.info("data path warm-up: {} calls over HTTP/1.1 and {} over HTTP/2 in {} ms", result.http1(), result.http2(),
                    result.took().toMillis());
        }
        return result;
    }

    private static ProxySnapshot.Policy policy(ConfigSnapshot registry) {
        ProxySnapshot.Policy none = ProxySnapshot.Policy.NONE;
        return new ProxySnapshot.Policy("warm-up", Authorizer.allowAll(), RequestAuthenticator.none(), none.mtls(),
                NetworkView.NONE, RegistryIndex.of(registry), Workload.ForwardedPath.NORMALIZED);
    }

    private static ProxySnapshot snapshot(ProxySnapshot.Policy policy, InboundChain inbound, OutboundChain outbound) {
        return new ProxySnapshot(policy, inbound.assemble(policy), outbound.assemble(policy));
    }
}
