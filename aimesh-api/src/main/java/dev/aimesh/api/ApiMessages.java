package dev.aimesh.api;

import java.io.ByteArrayInputStream;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import com.google.protobuf.ByteString;
import dev.aimesh.api.v1.ConfigFile;
import dev.aimesh.api.v1.TrustBundle;
import dev.aimesh.api.v1.WorkloadEntry;
import dev.aimesh.core.identity.SpiffeId;
import dev.aimesh.core.registry.ConfigSnapshot;
import dev.aimesh.core.resource.ConfigLoader;

/** Converts between protocol messages and core types; the only place that sees both. */
public final class ApiMessages {
    private ApiMessages() {}

    public static dev.aimesh.api.v1.ConfigSnapshot toProto(ConfigSnapshot snapshot, String nonce, TrustBundle bundle) {
        var builder = dev.aimesh.api.v1.ConfigSnapshot.newBuilder()
                .setVersion(snapshot.version()).setNonce(nonce).setBundle(bundle);
        for (var w : snapshot.workloads()) {
            builder.addWorkloads(WorkloadEntry.newBuilder().setNamespace(w.namespace()).setName(w.name())
                    .setSpiffeId(w.spiffeId().toString()).putAllLabels(w.labels()).addAllEndpoints(w.endpoints()));
        }
        for (var file : snapshot.sources()) {
            builder.addConfigFiles(ConfigFile.newBuilder().setName(file.name()).setText(file.text()));
        }
        return builder.build();
    }

    /** The snapshot in a message; an invalid entry makes the whole snapshot invalid (the proxy NACKs it). */
    public static ConfigSnapshot fromProto(dev.aimesh.api.v1.ConfigSnapshot message) {
        List<dev.aimesh.core.registry.WorkloadEntry> workloads = new ArrayList<>();
        for (WorkloadEntry w : message.getWorkloadsList()) {
            workloads.add(new dev.aimesh.core.registry.WorkloadEntry(w.getNamespace(), w.getName(),
                    SpiffeId.parse(w.getSpiffeId()), w.getLabelsMap(), w.getEndpointsList()));
        }
        List<ConfigLoader.SourceFile> sources = new ArrayList<>();
        for (ConfigFile file : message.getConfigFilesList()) {
            sources.add(new ConfigLoader.SourceFile(file.getName(), file.getText()));
        }
        return new ConfigSnapshot(message.getVersion(), workloads, sources);
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
