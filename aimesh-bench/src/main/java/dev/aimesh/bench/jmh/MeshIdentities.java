package dev.aimesh.bench.jmh;

import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import dev.aimesh.core.identity.SpiffeId;
import dev.aimesh.core.identity.TrustDomain;
import dev.aimesh.identity.ca.CaCredential;
import dev.aimesh.identity.ca.IssueDecision;
import dev.aimesh.identity.ca.RootCertificates;
import dev.aimesh.identity.ca.SvidIssuer;
import dev.aimesh.identity.x509.CertificateRequests;
import dev.aimesh.identity.x509.Keys;
import dev.aimesh.identity.x509.TrustBundle;
import dev.aimesh.identity.x509.X509Svid;

/** A throwaway trust domain for benchmarks: a root made by the real CA code and SVIDs it signs. */
final class MeshIdentities {
    static final TrustDomain TRUST_DOMAIN = TrustDomain.parse("bench.aimesh.dev");
    static final SpiffeId MODEL = SpiffeId.forWorkload(TRUST_DOMAIN, "models", "llm");
    static final SpiffeId APP = SpiffeId.forWorkload(TRUST_DOMAIN, "apps", "chat");

    final CaCredential ca = RootCertificates.create(TRUST_DOMAIN, Instant.now().minusSeconds(60), Duration.ofDays(1));
    final TrustBundle bundle = new TrustBundle(1, List.of(ca.root()));

    /** Issues an SVID for {@code id} the way a workload gets one: its own key, a CSR, the CA's decision. */
    X509Svid svid(SpiffeId id) {
        KeyPair keys = Keys.newP256();
        byte[] csr;
        try {
            csr = CertificateRequests.forSpiffeId(keys, id).getEncoded();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        IssueDecision decision = SvidIssuer.issue(new SvidIssuer.Request(csr, id, Duration.ofHours(1), Instant.now()), ca);
        if (!(decision instanceof IssueDecision.Issued issued)) {
            throw new IllegalStateException("the CA refused the benchmark SVID: " + decision);
        }
        return new X509Svid(id, keys.getPrivate(), issued.chain());
    }
}
