package dev.aimesh.proxy.outbound;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import dev.aimesh.core.identity.SpiffeId;
import dev.aimesh.core.registry.ConfigSnapshot;
import dev.aimesh.core.registry.WorkloadEntry;
import dev.aimesh.proxy.filter.ChainStep;
import dev.aimesh.proxy.filter.ExchangeContext;
import dev.aimesh.proxy.filter.FilterDecision;
import dev.aimesh.proxy.filter.RequestHead;
import dev.aimesh.proxy.filter.Route;
import dev.aimesh.proxy.http.UpstreamConnector;

/**
 * The outbound chain's end: the call goes over mTLS to one of the inbound proxies serving its destination (in
 * turn), which must present the destination's SPIFFE ID; the Host sent is the authority the app named. The
 * connector of each peer is made on first use and kept while the registry lists that peer; one it no longer
 * lists is retired by {@link #retainListed}.
 */
public final class PeerRoute implements Route {
    /** Makes the connector for one peer proxy that must be {@code identity}; called once per peer. */
    @FunctionalInterface
    public interface PeerConnectors {
        UpstreamConnector to(InetSocketAddress address, SpiffeId identity);
    }

    /** A peer proxy: the endpoint a snapshot lists for a workload, and the identity it must present. */
    private record Peer(String endpoint, SpiffeId identity) {}

    private final PeerConnectors peers;
    private final Map<String, AtomicInteger> roundRobin = new ConcurrentHashMap<>();
    private final Map<Peer, ChainStep.Forward> connectors = new ConcurrentHashMap<>();

    public PeerRoute(PeerConnectors peers) {
        this.peers = peers;
    }

    @Override
    public ChainStep pick(ExchangeContext exchange, RequestHead head) {
        WorkloadEntry target = exchange.destination();
        if (target == null) {
            throw new IllegalStateException("no destination: the destination filter must come before the route");
        }
        List<String> endpoints = target.endpoints();
        if (endpoints.isEmpty()) {
            return new FilterDecision.Respond(503, "no-endpoints", "no proxy serves " + target.ref() + " right now");
        }
        String endpoint = endpoints.get(Math.floorMod(roundRobin.computeIfAbsent(target.ref(), k -> new AtomicInteger())
                .getAndIncrement(), endpoints.size()));
        head.setAuthority(exchange.authority());
        Peer peer = new Peer(endpoint, target.spiffeId());
        ChainStep.Forward forward = connectors.get(peer);
        if (forward == null) {
            forward = connectors.computeIfAbsent(peer, p -> new ChainStep.Forward(peers.to(parse(p.endpoint()), p.identity())));
        }
        return forward;
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
            e.getValue().upstream().retire();
            retired.add(e.getValue().upstream());
            return true;
        });
        return retired;
    }

    private static InetSocketAddress parse(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        String host = hostPort.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return InetSocketAddress.createUnresolved(host, Integer.parseInt(hostPort.substring(colon + 1)));
    }
}
