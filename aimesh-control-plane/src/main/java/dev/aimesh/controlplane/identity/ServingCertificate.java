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
 * root, so that a new workload can match the root against the pin in its join token. Between the switch to a
 * new root and the old root's retirement it also carries the new root certified by the old one (see
 * {@link CertificateAuthority#crossChainToOldRoot}): a join token made before the rotation pins only the old
 * root, and a proxy restarted from its state directory may hold only the old bundle, yet both must reach the
 * control plane to learn the new one.
 */
public final class ServingCertificate {
    private final CertificateAuthority ca;
    private final InstantSource clock;
    private final SpiffeId id;
    private final AtomicReference<X509Svid> current = new AtomicReference<>();
    /** Whether the chain of {@link #current} carries the cross chain to the old root. */
    private volatile boolean crossed;

    public ServingCertificate(CertificateAuthority ca, InstantSource clock) {
        this.ca = ca;
        this.clock = clock;
        this.id = MeshIdentities.controlPlane(ca.trustDomain());
        renew();
    }

    public X509Svid current() {
        return current.get();
    }

    /** Whether renewal is due (half-life passed, the signing root changed, or the cross chain came or went). */
    public boolean renewalDue() {
        X509Svid svid = current.get();
        X509Certificate signer = ca.state().signing().signingCertificate();
        boolean signerChanged = !svid.leaf().getIssuerX500Principal().equals(signer.getSubjectX500Principal());
        boolean crossChanged = crossed == ca.crossChainToOldRoot().isEmpty();
        return signerChanged || crossChanged || !clock.instant().isBefore(svid.renewAt());
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
        List<X509Certificate> cross = ca.crossChainToOldRoot();
        chain.addAll(cross);
        crossed = !cross.isEmpty();
        current.set(new X509Svid(id, keys.getPrivate(), chain));
    }

    public Instant expiresAt() {
        return current.get().expiresAt();
    }
}
