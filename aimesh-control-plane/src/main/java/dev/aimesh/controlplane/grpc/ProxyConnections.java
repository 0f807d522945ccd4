package dev.aimesh.controlplane.grpc;

import java.time.Instant;
import java.util.Collection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import dev.aimesh.core.identity.SpiffeId;

/**
 * The proxies connected to the config stream: which workload each serves, where its inbound listener
 * is, and what it last acknowledged. A proxy joining or leaving changes the workloads' endpoints, which
 * the listener given at construction hears about.
 */
public final class ProxyConnections {
    private final ConcurrentHashMap<Long, Status> byStream = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private volatile Runnable onEndpointsChange = () -> {};

    /** One connected proxy as the admin API shows it. */
    public record Status(long stream, String nodeId, SpiffeId identity, String workload, String inboundAddress,
            Instant connectedAt, String ackedVersion, long ackedBundleVersion, String lastNack) {
        Status acked(String version, long bundleVersion) {
            return new Status(stream, nodeId, identity, workload, inboundAddress, connectedAt, version, bundleVersion, null);
        }

        Status nacked(String reason) {
            return new Status(stream, nodeId, identity, workload, inboundAddress, connectedAt, ackedVersion,
                    ackedBundleVersion, reason);
        }
    }

    /** Called (on the caller's thread) whenever the set of endpoints changes; must not block. */
    public void onEndpointsChange(Runnable listener) {
        this.onEndpointsChange = listener;
    }

    long open(String nodeId, SpiffeId identity, String workload, String inboundAddress, Instant now) {
        long id = ids.incrementAndGet();
        byStream.put(id, new Status(id, nodeId, identity, workload, inboundAddress, now, "", -1, null));
        if (!inboundAddress.isEmpty()) {
            onEndpointsChange.run();
        }
        return id;
    }

    /** The inbound addresses of connected proxies by workload ({@code namespace/name}), sorted. */
    public Map<String, List<String>> endpoints() {
        Map<String, List<String>> result = new TreeMap<>();
        for (Status s : byStream.values()) {
            if (!s.inboundAddress().isEmpty()) {
                result.computeIfAbsent(s.workload(), k -> new ArrayList<>()).add(s.inboundAddress());
            }
        }
        result.values().forEach(list -> list.sort(null));
        return result;
    }

    void acked(long stream, String version, long bundleVersion) {
        byStream.computeIfPresent(stream, (k, s) -> s.acked(version, bundleVersion));
    }

    void nacked(long stream, String reason) {
        byStream.computeIfPresent(stream, (k, s) -> s.nacked(reason));
    }

    void close(long stream) {
        Status removed = byStream.remove(stream);
        if (removed != null && !removed.inboundAddress().isEmpty()) {
            onEndpointsChange.run();
        }
    }

    public List<Status> all() {
        return byStream.values().stream().sorted(java.util.Comparator.comparingLong(Status::stream)).toList();
    }

    /** Whether every connected proxy has acknowledged a bundle at least this new (true when none is connected). */
    public boolean allHaveBundle(long bundleVersion) {
        Collection<Status> all = byStream.values();
        return all.stream().allMatch(s -> s.ackedBundleVersion() >= bundleVersion);
    }
}
