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
import dev.aimesh.api.v1.ConfigFile;
import dev.aimesh.api.v1.TrustBundle;
import dev.aimesh.api.v1.WorkloadEntry;
import dev.aimesh.core.identity.SpiffeId;
import dev.aimesh.core.registry.ConfigSnapshot;
import dev.aimesh.core.registry.SnapshotDelta;
import dev.aimesh.core.resource.ConfigLoader;

/** Converts between protocol messages and core types; the only place that sees both. */
public final class ApiMessages {
    private ApiMessages() {}

    /** The whole snapshot as a message (as a proxy's first message, or one that it could not follow with a delta). */
    public static dev.aimesh.api.v1.ConfigSnapshot toProto(ConfigSnapshot snapshot, String nonce, TrustBundle bundle) {
        return toProto(SnapshotDelta.whole(snapshot), nonce, bundle);
    }

    public static dev.aimesh.api.v1.ConfigSnapshot toProto(SnapshotDelta delta, String nonce, TrustBundle bundle) {
        var builder = dev.aimesh.api.v1.ConfigSnapshot.newBuilder()
                .setVersion(delta.version()).setNonce(nonce).setBundle(bundle)
                .setBaseVersion(delta.baseVersion().orElse(""))
                .addAllRemovedWorkloads(delta.removedWorkloads().stream().sorted().toList())
                .addAllRemovedConfigFiles(delta.removedSources().stream().sorted().toList());
        for (var w : delta.workloads()) {
            builder.addWorkloads(WorkloadEntry.newBuilder().setNamespace(w.namespace()).setName(w.name())
                    .setSpiffeId(w.spiffeId().toString()).putAllLabels(w.labels()).addAllEndpoints(w.endpoints()));
        }
        for (var file : delta.sources()) {
            builder.addConfigFiles(ConfigFile.newBuilder().setName(file.name()).setText(file.text()));
        }
        return builder.build();
    }

    /** The whole snapshot or delta in a message; an invalid entry makes all of it invalid (the proxy NACKs it). */
    public static SnapshotDelta fromProto(dev.aimesh.api.v1.ConfigSnapshot message) {
        List<dev.aimesh.core.registry.WorkloadEntry> workloads = new ArrayList<>();
        for (WorkloadEntry w : message.getWorkloadsList()) {
            workloads.add(new dev.aimesh.core.registry.WorkloadEntry(w.getNamespace(), w.getName(),
                    SpiffeId.parse(w.getSpiffeId()), w.getLabelsMap(), w.getEndpointsList()));
        }
        List<ConfigLoader.SourceFile> sources = new ArrayList<>();
        for (ConfigFile file : message.getConfigFilesList()) {
            sources.add(new ConfigLoader.SourceFile(file.getName(), file.getText()));
        }
        Optional<String> base = message.getBaseVersion().isEmpty() ? Optional.empty() : Optional.of(message.getBaseVersion());
        return new SnapshotDelta(base, message.getVersion(), workloads, Set.copyOf(message.getRemovedWorkloadsList()),
                sources, Set.copyOf(message.getRemovedConfigFilesList()));
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
