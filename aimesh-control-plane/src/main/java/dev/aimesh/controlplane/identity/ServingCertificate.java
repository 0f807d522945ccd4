package dev.aimesh.controlplane.identity;

import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import dev.aimesh.core.identity.MeshIdentities;
import dev.aimesh.core.identity.SpiffeId;
import dev.aimesh.identity.ca.CertificateAuthority;
import dev.aimesh.identity.ca.IssueDecision;
import dev.aimesh.identity.x509.SvidRequest;
import dev.aimesh.identity.x509.Keys;
import dev.aimesh.identity.x509.X509Svid;

/**
 * The control plane's own SVID, which its gRPC server presents. The chain it presents ends with the
 * root, so that a new workload can match the root against the pin in its join token.
 */
public final class ServingCertificate {
    private final CertificateAuthority ca;
    private final InstantSource clock;
    private final SpiffeId id;
    private final AtomicReference<X509Svid> current = new AtomicReference<>();

    public ServingCertificate(CertificateAuthority ca, InstantSource clock) {
        this.ca = ca;
        this.clock = clock;
        this.id = MeshIdentities.controlPlane(ca.trustDomain());
        renew();
    }

    public X509Svid current() {
        return current.get();
    }

    /** Whether renewal is due (half-life passed, or the signing root changed). */
    public boolean renewalDue() {
        X509Svid svid = current.get();
        X509Certificate signer = ca.state().signing().signingCertificate();
        boolean signerChanged = !svid.leaf().getIssuerX500Principal().equals(signer.getSubjectX500Principal());
        return signerChanged || !clock.instant().isBefore(svid.renewAt());
    }

    public void renew() {
        KeyPair keys = Keys.newP256();
        byte[] csr = SvidRequest.der(keys, Optional.of(id));
        IssueDecision decision = ca.issue(csr, id);
        if (!(decision instanceof IssueDecision.Issued issued)) {
            throw new IllegalStateException("the CA refused the control plane's own certificate: " + decision);
        }
        List<X509Certificate> chain = new ArrayList<>(issued.chain());
        chain.add(ca.state().signing().root());
        current.set(new X509Svid(id, keys.getPrivate(), chain));
    }

    public Instant expiresAt() {
        return current.get().expiresAt();
    }
}
