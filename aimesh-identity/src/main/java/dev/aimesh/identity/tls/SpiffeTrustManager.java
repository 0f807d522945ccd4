package dev.aimesh.identity.tls;

import static java.util.Objects.requireNonNull;

import java.math.BigInteger;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.function.Function;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import dev.aimesh.core.identity.TrustDomain;
import dev.aimesh.identity.x509.CertificateProblem;
import dev.aimesh.identity.x509.TrustBundle;
import dev.aimesh.identity.x509.X509SvidVerifier;
import dev.aimesh.identity.x509.X509SvidVerifier.Role;
import dev.aimesh.identity.x509.X509SvidVerifier.Verification;

/**
 * Plugs SPIFFE verification into JSSE (and Netty's OpenSSL engine): a peer is trusted when its chain
 * verifies against the current trust bundle, its SVID is in our trust domain and {@link PeerPolicy}
 * accepts it. The bundle is read on every handshake, so a rotated bundle applies to new connections
 * at once. Host names play no part: SVIDs carry only a URI SAN.
 */
public final class SpiffeTrustManager extends X509ExtendedTrustManager {
    private final Supplier<TrustBundle> bundle;
    private final TrustDomain trustDomain;
    private final Supplier<Set<BigInteger>> revoked;
    private final PeerPolicy policy;
    private final InstantSource clock;
    private final Function<RefusedCertificateException, ? extends CertificateException> refusals;

    public SpiffeTrustManager(Supplier<TrustBundle> bundle, TrustDomain trustDomain, Supplier<Set<BigInteger>> revoked,
            PeerPolicy policy, InstantSource clock) {
        this.bundle = requireNonNull(bundle, "bundle");
        this.trustDomain = requireNonNull(trustDomain, "trustDomain");
        this.revoked = requireNonNull(revoked, "revoked");
        this.policy = requireNonNull(policy, "policy");
        this.clock = requireNonNull(clock, "clock");
        this.refusals = refused -> refused;
    }

    private SpiffeTrustManager(SpiffeTrustManager base, Function<RefusedCertificateException, ? extends CertificateException> refusals) {
        this.bundle = base.bundle;
        this.trustDomain = base.trustDomain;
        this.revoked = base.revoked;
        this.policy = base.policy;
        this.clock = base.clock;
        this.refusals = requireNonNull(refusals, "refusals");
    }

    /**
     * The same trust manager, throwing what {@code refusals} makes of each refusal: a TLS stack that reads
     * its own exception type to choose the alert (Netty's OpenSSL engine) gets it that way.
     */
    public SpiffeTrustManager withRefusals(Function<RefusedCertificateException, ? extends CertificateException> refusals) {
        return new SpiffeTrustManager(this, refusals);
    }

    /** Verifies a chain; the exception message says why it is refused, its problem which alert tells it. */
    public void verify(X509Certificate[] chain, Role role) throws CertificateException {
        if (chain == null || chain.length == 0) {
            throw refusals.apply(new RefusedCertificateException(CertificateProblem.BAD_CERTIFICATE, "the peer presented no certificate"));
        }
        Verification result = X509SvidVerifier.verify(Arrays.asList(chain), bundle.get(), trustDomain, role,
                clock.instant(), revoked.get());
        switch (result) {
            case Verification.Rejected rejected -> throw refusals.apply(new RefusedCertificateException(rejected.problem(), rejected.reason()));
            case Verification.Verified verified -> {
                Optional<String> refusal = policy.refuse(verified.id());
                if (refusal.isPresent()) {
                    throw refusals.apply(new RefusedCertificateException(CertificateProblem.BAD_CERTIFICATE, refusal.get()));
                }
            }
        }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        verify(chain, Role.CLIENT);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        verify(chain, Role.CLIENT);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        verify(chain, Role.CLIENT);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        verify(chain, Role.SERVER);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        verify(chain, Role.SERVER);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        verify(chain, Role.SERVER);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return bundle.get().roots().toArray(X509Certificate[]::new);
    }
}
