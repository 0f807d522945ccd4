package dev.aimesh.controlplane.grpc;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import dev.aimesh.core.identity.SpiffeId;

/** The proxies connected to the config stream, with what each last acknowledged. */
public final class ProxyConnections {
    private final ConcurrentHashMap<Long, Status> byStream = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();

    /** One connected proxy as the admin API shows it. */
    public record Status(long stream, String nodeId, SpiffeId identity, Instant connectedAt, String ackedVersion,
            long ackedBundleVersion, String lastNack) {
        Status acked(String version, long bundleVersion) {
            return new Status(stream, nodeId, identity, connectedAt, version, bundleVersion, null);
        }

        Status nacked(String reason) {
            return new Status(stream, nodeId, identity, connectedAt, ackedVersion, ackedBundleVersion, reason);
        }
    }

    long open(String nodeId, SpiffeId identity, Instant now) {
        long id = ids.incrementAndGet();
        byStream.put(id, new Status(id, nodeId, identity, now, "", -1, null));
        return id;
    }

    void acked(long stream, String version, long bundleVersion) {
        byStream.computeIfPresent(stream, (k, s) -> s.acked(version, bundleVersion));
    }

    void nacked(long stream, String reason) {
        byStream.computeIfPresent(stream, (k, s) -> s.nacked(reason));
    }

    void close(long stream) {
        byStream.remove(stream);
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
