package dev.aimesh.api;

import java.io.ByteArrayInputStream;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.aimesh.api.v1.StoredSnapshot;
import dev.aimesh.api.v1.TrustBundle;
import dev.aimesh.api.v1.WorkloadEntry;
import dev.aimesh.core.identity.SpiffeId;
import dev.aimesh.core.registry.ConfigSnapshot;
import dev.aimesh.core.registry.SnapshotDelta;
import dev.aimesh.core.resource.Resource;

/** Converts between protocol messages and core types; the only place that sees both. */
public final class ApiMessages {
    /**
     * How a snapshot's content is written. Format 1 carried the mesh's YAML files; format 2 carries typed
     * resources. Raised on any change a proxy of the previous format would misread.
     */
    public static final int CONFIG_FORMAT = 2;

    private ApiMessages() {}

    /** The whole snapshot as a message (as a proxy's first message, or one that it could not follow with a delta). */
    public static dev.aimesh.api.v1.ConfigSnapshot toProto(ConfigSnapshot snapshot, String nonce, TrustBundle bundle) {
        return toProto(SnapshotDelta.whole(snapshot), nonce, bundle);
    }

    public static dev.aimesh.api.v1.ConfigSnapshot toProto(SnapshotDelta delta, String nonce, TrustBundle bundle) {
        return toProto(delta, entries(delta.workloads()), nonce, bundle);
    }

    /**
     * As {@link #toProto(SnapshotDelta, String, TrustBundle)}, with the delta's workload entries already made
     * messages ({@link #entries}): the registry is the same for every proxy, so it is converted once for all.
     */
    public static dev.aimesh.api.v1.ConfigSnapshot toProto(SnapshotDelta delta, List<WorkloadEntry> entries, String nonce,
            TrustBundle bundle) {
        if (entries.size() != delta.workloads().size()) {
            throw new IllegalArgumentException("entries: " + entries.size() + " (expected: the delta's " + delta.workloads().size()
                    + ")");
        }
        var builder = dev.aimesh.api.v1.ConfigSnapshot.newBuilder().setConfigFormat(CONFIG_FORMAT)
                .setVersion(delta.version()).setNonce(nonce).setBundle(bundle)
                .setBaseVersion(delta.baseVersion().orElse(""))
                .addAllRemovedWorkloads(delta.removedWorkloads().stream().sorted().toList())
                .addAllRemovedResources(delta.removedResources().stream().sorted().toList());
        builder.addAllWorkloads(entries);
        delta.resources().forEach(r -> builder.addResources(ResourceMessages.toProto(r)));
        return builder.build();
    }

    /** Workload entries as messages, in their order. */
    public static List<WorkloadEntry> entries(List<dev.aimesh.core.registry.WorkloadEntry> workloads) {
        return workloads.stream().map(ApiMessages::entry).toList();
    }

    /**
     * The whole snapshot or delta in a message; an invalid entry makes all of it invalid (the proxy NACKs it).
     *
     * @throws IllegalArgumentException naming what is wrong: a format this build does not read, a resource of
     *     an unknown kind, a value a record refuses
     */
    public static SnapshotDelta fromProto(dev.aimesh.api.v1.ConfigSnapshot message) {
        checkFormat(message.getConfigFormat());
        List<dev.aimesh.core.registry.WorkloadEntry> workloads = new ArrayList<>();
        for (WorkloadEntry w : message.getWorkloadsList()) {
            workloads.add(entry(w));
        }
        Optional<String> base = message.getBaseVersion().isEmpty() ? Optional.empty() : Optional.of(message.getBaseVersion());
        return new SnapshotDelta(base, message.getVersion(), workloads, Set.copyOf(message.getRemovedWorkloadsList()),
                resources(message.getResourcesList()), Set.copyOf(message.getRemovedResourcesList()));
    }

    /** Refuses a snapshot of another format, saying which side to upgrade. */
    public static void checkFormat(int format) {
        if (format != CONFIG_FORMAT) {
            throw new IllegalArgumentException("config format " + format + " (expected: " + CONFIG_FORMAT + "); the control"
                    + " plane runs another version of aimesh" + (format < CONFIG_FORMAT ? ", older than this proxy (format 1"
                    + " sent YAML files)" : ", newer than this proxy") + ": run the same version on both");
        }
    }

    /** A proxy's last good snapshot as the bytes it keeps on disk. */
    public static byte[] storedSnapshot(String workload, ConfigSnapshot snapshot) {
        var builder = StoredSnapshot.newBuilder().setConfigFormat(CONFIG_FORMAT).setWorkload(workload)
                .setVersion(snapshot.version());
        snapshot.workloads().forEach(w -> builder.addWorkloads(entry(w)));
        snapshot.resources().forEach(r -> builder.addResources(ResourceMessages.toProto(r)));
        return builder.build().toByteArray();
    }

    /** What {@link #storedSnapshot} wrote. */
    public record Stored(String workload, ConfigSnapshot snapshot) {}

    /** @throws IllegalArgumentException saying why {@code bytes} are not a snapshot this build wrote */
    public static Stored storedSnapshot(byte[] bytes) {
        StoredSnapshot stored;
        try {
            stored = StoredSnapshot.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("not a stored snapshot (" + e.getMessage() + ")", e);
        }
        if (stored.getConfigFormat() != CONFIG_FORMAT) {
            throw new IllegalArgumentException("format " + stored.getConfigFormat() + " (expected: " + CONFIG_FORMAT
                    + "); written by another version of aimesh");
        }
        List<dev.aimesh.core.registry.WorkloadEntry> workloads = stored.getWorkloadsList().stream().map(ApiMessages::entry).toList();
        return new Stored(stored.getWorkload(), new ConfigSnapshot(stored.getVersion(), workloads,
                resources(stored.getResourcesList())));
    }

    private static List<Resource> resources(List<dev.aimesh.api.v1.Resource> messages) {
        List<Resource> resources = new ArrayList<>(messages.size());
        for (int i = 0; i < messages.size(); i++) {
            try {
                resources.add(ResourceMessages.fromProto(messages.get(i)));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("resource " + i + ": " + e.getMessage(), e);
            }
        }
        return resources;
    }

    private static WorkloadEntry entry(dev.aimesh.core.registry.WorkloadEntry w) {
        return WorkloadEntry.newBuilder().setNamespace(w.namespace()).setName(w.name()).setSpiffeId(w.spiffeId().toString())
                .putAllLabels(w.labels()).addAllEndpoints(w.endpoints()).build();
    }

    private static dev.aimesh.core.registry.WorkloadEntry entry(WorkloadEntry w) {
        return new dev.aimesh.core.registry.WorkloadEntry(w.getNamespace(), w.getName(), SpiffeId.parse(w.getSpiffeId()),
                w.getLabelsMap(), w.getEndpointsList());
    }

    public static TrustBundle bundle(long version, String trustDomain, List<X509Certificate> roots) {
        var builder = TrustBundle.newBuilder().setVersion(version).setTrustDomain(trustDomain);
        for (X509Certificate root : roots) {
            builder.addRoots(der(root));
        }
        return builder.build();
    }

    public static ByteString der(X509Certificate certificate) {
        try {
            return ByteString.copyFrom(certificate.getEncoded());
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static List<X509Certificate> certificates(List<ByteString> ders) throws CertificateException {
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        List<X509Certificate> result = new ArrayList<>(ders.size());
        for (ByteString der : ders) {
            result.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der.toByteArray())));
        }
        return result;
    }
}
