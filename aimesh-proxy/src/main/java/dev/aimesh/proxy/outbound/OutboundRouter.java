package dev.aimesh.proxy.outbound;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import dev.aimesh.core.identity.SpiffeId;
import dev.aimesh.core.registry.ConfigSnapshot;
import dev.aimesh.core.registry.ServiceNames;
import dev.aimesh.core.registry.WorkloadEntry;
import dev.aimesh.proxy.http.HopByHop;
import dev.aimesh.proxy.http.RequestRouter;
import dev.aimesh.proxy.http.Routing;
import dev.aimesh.proxy.http.UpstreamConnector;

/**
 * Outbound: the destination is the workload named by the absolute-form URI (as an app using
 * {@code HTTP_PROXY} sends) or else by the Host header; the request goes over mTLS to one of the
 * inbound proxies serving it, which must present the destination's SPIFFE ID.
 */
public final class OutboundRouter implements RequestRouter {
    /** Makes (and keeps) the connector for one peer proxy that must be {@code identity}. */
    @FunctionalInterface
    public interface PeerConnectors {
        UpstreamConnector to(InetSocketAddress address, SpiffeId identity);
    }

    private final Supplier<ConfigSnapshot> registry;
    private final PeerConnectors peers;
    private final Map<String, AtomicInteger> roundRobin = new ConcurrentHashMap<>();

    public OutboundRouter(Supplier<ConfigSnapshot> registry, PeerConnectors peers) {
        this.registry = registry;
        this.peers = peers;
    }

    @Override
    public Routing route(Channel downstream, HttpRequest request) {
        String authority = request.headers().get(HttpHeaderNames.HOST);
        String uri = request.uri();
        if (!uri.startsWith("/")) {
            try {
                URI absolute = new URI(uri);
                if (absolute.getRawAuthority() == null || !"http".equalsIgnoreCase(absolute.getScheme())) {
                    return refuse(HttpResponseStatus.BAD_REQUEST, "bad-target", "the request target '" + uri
                            + "' is neither a path nor an absolute http:// URI");
                }
                authority = absolute.getRawAuthority();
                String path = absolute.getRawPath() == null || absolute.getRawPath().isEmpty() ? "/" : absolute.getRawPath();
                request.setUri(absolute.getRawQuery() == null ? path : path + "?" + absolute.getRawQuery());
            } catch (URISyntaxException e) {
                return refuse(HttpResponseStatus.BAD_REQUEST, "bad-target", "the request target is not a valid URI");
            }
        }
        if (authority == null || authority.isEmpty()) {
            return refuse(HttpResponseStatus.BAD_REQUEST, "no-destination", "the request names no destination (no Host header)");
        }
        ConfigSnapshot snapshot = registry.get();
        if (snapshot == null) {
            return refuse(HttpResponseStatus.SERVICE_UNAVAILABLE, "no-config", "the proxy has no configuration yet");
        }
        var destination = ServiceNames.resolve(snapshot, authority);
        if (destination.isEmpty()) {
            return refuse(HttpResponseStatus.BAD_GATEWAY, "unknown-destination", "'" + ServiceNames.stripPort(authority)
                    + "' is not a workload of the mesh (try name.namespace)");
        }
        WorkloadEntry target = destination.get();
        List<String> endpoints = target.endpoints();
        if (endpoints.isEmpty()) {
            return refuse(HttpResponseStatus.SERVICE_UNAVAILABLE, "no-endpoints", "no proxy serves " + target.ref() + " right now");
        }
        String endpoint = endpoints.get(Math.floorMod(roundRobin.computeIfAbsent(target.ref(), k -> new AtomicInteger())
                .getAndIncrement(), endpoints.size()));
        HopByHop.strip(request.headers());
        request.headers().set(HttpHeaderNames.HOST, authority);
        return new Routing.Forward(peers.to(parse(endpoint), target.spiffeId()), request);
    }

    private static InetSocketAddress parse(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        String host = hostPort.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return InetSocketAddress.createUnresolved(host, Integer.parseInt(hostPort.substring(colon + 1)));
    }

    private static Routing refuse(HttpResponseStatus status, String code, String message) {
        return new Routing.Refuse(status, code, message);
    }
}
