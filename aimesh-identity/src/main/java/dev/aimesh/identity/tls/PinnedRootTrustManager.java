package dev.aimesh.identity.tls;

import static java.util.Objects.requireNonNull;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import dev.aimesh.core.identity.MeshIdentities;
import dev.aimesh.core.identity.SpiffeId;
import dev.aimesh.identity.x509.SubjectAltNames;
import dev.aimesh.identity.x509.Fingerprints;
import dev.aimesh.identity.x509.TrustBundle;
import dev.aimesh.identity.x509.X509SvidVerifier;
import dev.aimesh.identity.x509.X509SvidVerifier.Role;

/**
 * First contact, before a workload has a trust bundle: the server is trusted when the chain it presents
 * ends in a root whose public-key hash is one of the pins carried by the join token, and its SVID is the
 * control plane's (in the trust domain the server's SVID names, which the pinned root vouches for).
 * This is how a join token both proves the workload and authenticates the server.
 */
public final class PinnedRootTrustManager extends X509ExtendedTrustManager {
    private final List<String> rootPins;
    private final InstantSource clock;

    public PinnedRootTrustManager(List<String> rootPins, InstantSource clock) {
        this.rootPins = List.copyOf(rootPins);
        this.clock = requireNonNull(clock, "clock");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        if (chain == null || chain.length == 0) {
            throw new CertificateException("the control plane presented no certificate");
        }
        Optional<X509Certificate> pinned = Arrays.stream(chain)
                .filter(c -> c.getSubjectX500Principal().equals(c.getIssuerX500Principal()))
                .filter(c -> rootPins.contains(Fingerprints.spkiSha256(c)))
                .findFirst();
        if (pinned.isEmpty()) {
            throw new CertificateException("the control plane's certificate does not chain to the root pinned by"
                    + " the join token (was the token made by another control plane, or before a root rotation that has completed"
                    + " since? make a new token)");
        }
        SpiffeId claimed;
        try {
            List<String> uris = SubjectAltNames.uris(chain[0]);
            claimed = uris.size() == 1 ? SpiffeId.tryParse(uris.get(0)).orElse(null) : null;
        } catch (CertificateParsingException e) {
            claimed = null;
        }
        if (claimed == null) {
            throw new CertificateException("the control plane's certificate is not an X.509-SVID");
        }
        var result = X509SvidVerifier.verify(Arrays.asList(chain), new TrustBundle(0, List.of(pinned.get())),
                claimed.trustDomain(), Role.SERVER, clock.instant(), Set.of());
        if (result instanceof X509SvidVerifier.Verification.Rejected rejected) {
            throw new CertificateException(rejected.reason());
        }
        Optional<String> refusal = PeerPolicy.only(MeshIdentities.controlPlane(claimed.trustDomain())).refuse(claimed);
        if (refusal.isPresent()) {
            throw new CertificateException(refusal.get());
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        checkServerTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        checkServerTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("a pinned-root trust manager only verifies servers");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        checkClientTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        checkClientTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
    }
}
