package dev.aimesh.proxy.outbound;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import dev.aimesh.core.audit.SecurityEvent;
import dev.aimesh.core.identity.SpiffeId;
import dev.aimesh.core.registry.ConfigSnapshot;
import dev.aimesh.core.registry.ServiceNames;
import dev.aimesh.core.registry.WorkloadEntry;
import dev.aimesh.proxy.filter.common.SecurityEventSink;
import dev.aimesh.proxy.http.HopByHop;
import dev.aimesh.proxy.http.RequestRouter;
import dev.aimesh.proxy.http.Routing;
import dev.aimesh.proxy.http.UpstreamConnector;

/**
 * Outbound: the destination is the workload named by the absolute-form URI (as an app using
 * {@code HTTP_PROXY} sends) or else by the Host header; the request goes over mTLS to one of the
 * inbound proxies serving it, which must present the destination's SPIFFE ID. A call its egress
 * NetworkPolicy forbids is refused with 403 and reported to the {@link SecurityEventSink}.
 */
public final class OutboundRouter implements RequestRouter {
    /** Makes the connector for one peer proxy that must be {@code identity}; called once per peer. */
    @FunctionalInterface
    public interface PeerConnectors {
        UpstreamConnector to(InetSocketAddress address, SpiffeId identity);
    }

    /** Why this workload may not call a destination (its egress NetworkPolicy); empty when it may. */
    @FunctionalInterface
    public interface EgressCheck {
        Optional<String> refuse(WorkloadEntry destination);
    }

    /** A peer proxy: the endpoint a snapshot lists for a workload, and the identity it must present. */
    private record Peer(String endpoint, SpiffeId identity) {}

    private final Supplier<ConfigSnapshot> registry;
    private final PeerConnectors peers;
    private final EgressCheck egress;
    private final Map<String, AtomicInteger> roundRobin = new ConcurrentHashMap<>();
    /**
     * The connector of each peer, made on first use; a request looks its own up, parsing nothing. One the
     * registry no longer lists is taken out and retired by {@link #retainListed}.
     */
    private final Map<Peer, UpstreamConnector> connectors = new ConcurrentHashMap<>();
    /** Host names resolved against one snapshot; a new snapshot starts them afresh. */
    private volatile ResolvedHosts resolved = new ResolvedHosts(null, Map.of());
    private static final int MAX_RESOLVED_HOSTS = 4096;

    private record ResolvedHosts(ConfigSnapshot snapshot, Map<String, Optional<WorkloadEntry>> hosts) {}

    private final SecurityEventSink events;

    public OutboundRouter(Supplier<ConfigSnapshot> registry, PeerConnectors peers, EgressCheck egress,
            SecurityEventSink events) {
        this.registry = registry;
        this.peers = peers;
        this.egress = egress;
        this.events = events;
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
        Optional<WorkloadEntry> destination = resolve(snapshot, authority);
        if (destination.isEmpty()) {
            return refuse(HttpResponseStatus.BAD_GATEWAY, "unknown-destination", "'" + ServiceNames.stripPort(authority)
                    + "' is not a workload of the mesh (try name.namespace)");
        }
        WorkloadEntry target = destination.get();
        Optional<String> denied = egress.refuse(target);
        if (denied.isPresent()) {
            events.report(SecurityEvent.Type.NETPOL_EGRESS_DENIED, Map.of(
                    SecurityEvent.Field.METHOD, request.method().name(), SecurityEvent.Field.PATH, request.uri(),
                    SecurityEvent.Field.CALLER, SecurityEventSink.caller(Optional.empty(), downstream.remoteAddress()),
                    SecurityEvent.Field.DESTINATION, target.ref(), SecurityEvent.Field.REASON, denied.get()));
            return refuse(HttpResponseStatus.FORBIDDEN, "egress-denied", "this workload may not call " + target.ref() + ": "
                    + denied.get());
        }
        List<String> endpoints = target.endpoints();
        if (endpoints.isEmpty()) {
            return refuse(HttpResponseStatus.SERVICE_UNAVAILABLE, "no-endpoints", "no proxy serves " + target.ref() + " right now");
        }
        String endpoint = endpoints.get(Math.floorMod(roundRobin.computeIfAbsent(target.ref(), k -> new AtomicInteger())
                .getAndIncrement(), endpoints.size()));
        HopByHop.strip(request.headers());
        request.headers().set(HttpHeaderNames.HOST, authority);
        Peer peer = new Peer(endpoint, target.spiffeId());
        UpstreamConnector connector = connectors.get(peer);
        if (connector == null) {
            connector = connectors.computeIfAbsent(peer, p -> peers.to(parse(p.endpoint()), p.identity()));
        }
        return new Routing.Forward(connector, request);
    }

    /**
     * Retires the connectors of peers that {@code snapshot} no longer lists (an endpoint gone, or serving another
     * identity now), so that their connections close instead of being kept for the proxy's lifetime; returns
     * them. Called off the event loops, when a snapshot is applied.
     */
    public List<UpstreamConnector> retainListed(ConfigSnapshot snapshot) {
        if (connectors.isEmpty()) {
            return List.of(); // a proxy that calls no one (the model's own) pays nothing per snapshot
        }
        java.util.Set<Peer> listed = new java.util.HashSet<>();
        for (WorkloadEntry workload : snapshot.workloads()) {
            for (String endpoint : workload.endpoints()) {
                listed.add(new Peer(endpoint, workload.spiffeId()));
            }
        }
        List<UpstreamConnector> retired = new java.util.ArrayList<>();
        connectors.entrySet().removeIf(e -> {
            if (listed.contains(e.getKey())) {
                return false;
            }
            e.getValue().retire();
            retired.add(e.getValue());
            return true;
        });
        return retired;
    }

    /** The workload a Host names, remembered per snapshot (bounded: Host headers come from the app). */
    private Optional<WorkloadEntry> resolve(ConfigSnapshot snapshot, String authority) {
        ResolvedHosts current = resolved;
        if (current.snapshot() != snapshot || current.hosts().size() > MAX_RESOLVED_HOSTS) {
            current = new ResolvedHosts(snapshot, new ConcurrentHashMap<>());
            resolved = current;
        }
        Optional<WorkloadEntry> known = current.hosts().get(authority);
        return known != null ? known : current.hosts().computeIfAbsent(authority, host -> ServiceNames.resolve(snapshot, host));
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
