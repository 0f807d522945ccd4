package dev.aimesh.testkit;

import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
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

/**
 * A throwaway certificate authority made by the real CA code: a root for one trust domain and X.509-SVIDs it
 * signs from a CSR, as the control plane issues them, without a control plane.
 */
public final class TestCa {
    private final TrustDomain trustDomain;
    private final CaCredential credential;

    private TestCa(TrustDomain trustDomain, CaCredential credential) {
        this.trustDomain = trustDomain;
        this.credential = credential;
    }

    /** A root valid from a minute ago for a day. */
    public static TestCa create(String trustDomain) {
        return create(TrustDomain.parse(trustDomain), Instant.now().minusSeconds(60), Duration.ofDays(1));
    }

    public static TestCa create(TrustDomain trustDomain, Instant notBefore, Duration lifetime) {
        return new TestCa(trustDomain, RootCertificates.create(trustDomain, notBefore, lifetime));
    }

    /** Signs with an existing credential (a rotated root, an intermediate a test made). */
    public static TestCa of(TrustDomain trustDomain, CaCredential credential) {
        return new TestCa(trustDomain, credential);
    }

    public TrustDomain trustDomain() {
        return trustDomain;
    }

    public CaCredential credential() {
        return credential;
    }

    /** A bundle of this CA's root alone, at version 1. */
    public TrustBundle bundle() {
        return new TrustBundle(1, java.util.List.of(credential.root()));
    }

    /** The SPIFFE ID of {@code namespace/serviceAccount} in this trust domain. */
    public SpiffeId id(String namespace, String serviceAccount) {
        return SpiffeId.forWorkload(trustDomain, namespace, serviceAccount);
    }

    /** An SVID for {@code id}, valid from now for an hour. */
    public X509Svid svid(SpiffeId id) {
        return svid(id, Instant.now(), Duration.ofHours(1));
    }

    /** An SVID for {@code id} issued at {@code issuedAt} for {@code lifetime}, over a fresh P-256 key. */
    public X509Svid svid(SpiffeId id, Instant issuedAt, Duration lifetime) {
        return svid(credential, id, issuedAt, lifetime);
    }

    /** An SVID signed by {@code ca} (the mesh's own CA, a foreign root), as {@link #svid(SpiffeId, Instant, Duration)}. */
    public static X509Svid svid(CaCredential ca, SpiffeId id, Instant issuedAt, Duration lifetime) {
        KeyPair keys = Keys.newP256();
        byte[] csr;
        try {
            csr = CertificateRequests.forSpiffeId(keys, id).getEncoded();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        IssueDecision decision = SvidIssuer.issue(new SvidIssuer.Request(csr, id, lifetime, issuedAt), ca);
        if (!(decision instanceof IssueDecision.Issued issued)) {
            throw new IllegalStateException("the test CA refused to issue " + id + ": " + decision);
        }
        return new X509Svid(id, keys.getPrivate(), issued.chain());
    }
}
