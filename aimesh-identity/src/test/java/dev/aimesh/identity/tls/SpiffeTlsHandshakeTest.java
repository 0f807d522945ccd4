package dev.aimesh.identity.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import dev.aimesh.core.identity.SpiffeId;
import dev.aimesh.core.identity.TrustDomain;
import dev.aimesh.identity.ca.CaCredential;
import dev.aimesh.identity.ca.IssueDecision;
import dev.aimesh.identity.ca.RootCertificates;
import dev.aimesh.identity.ca.SvidIssuer;
import dev.aimesh.identity.x509.CertificateRequests;
import dev.aimesh.identity.x509.Fingerprints;
import dev.aimesh.identity.x509.Keys;
import dev.aimesh.identity.x509.TrustBundle;
import dev.aimesh.identity.x509.X509Svid;

/** Real TLS 1.3 handshakes over loopback sockets through the SPIFFE key and trust managers. */
class SpiffeTlsHandshakeTest {
    private static final TrustDomain TD = TrustDomain.parse("example.org");
    private static final SpiffeId SERVER = SpiffeId.forWorkload(TD, "models", "llm");
    private static final SpiffeId CLIENT = SpiffeId.forWorkload(TD, "apps", "chat");
    private static final CaCredential CA = RootCertificates.create(TD, Instant.now().minusSeconds(60), Duration.ofDays(1));
    private static final TrustBundle BUNDLE = new TrustBundle(1, List.of(CA.root()));

    static X509Svid svid(CaCredential ca, SpiffeId id) throws Exception {
        KeyPair keys = Keys.newP256();
        byte[] csr = CertificateRequests.forSpiffeId(keys, id).getEncoded();
        var issued = (IssueDecision.Issued) SvidIssuer.issue(new SvidIssuer.Request(csr, id, Duration.ofHours(1), Instant.now()), ca);
        return new X509Svid(id, keys.getPrivate(), issued.chain());
    }

    static SSLContext context(X509Svid own, javax.net.ssl.TrustManager trust) throws Exception {
        SSLContext context = SSLContext.getInstance("TLSv1.3");
        context.init(new javax.net.ssl.KeyManager[] {new SvidKeyManager(() -> own)}, new javax.net.ssl.TrustManager[] {trust},
                new SecureRandom());
        return context;
    }

    static SpiffeTrustManager trust(PeerPolicy policy) {
        return new SpiffeTrustManager(() -> BUNDLE, TD, Set::of, policy, InstantSource.system());
    }

    /** Runs one handshake; returns the client's view of the server's first certificate. */
    private static String handshake(SSLContext server, SSLContext client) throws Exception {
        try (SSLServerSocket listener = (SSLServerSocket) server.getServerSocketFactory().createServerSocket(0, 1,
                InetAddress.getLoopbackAddress())) {
            listener.setNeedClientAuth(true);
            CompletableFuture<Void> accepted = CompletableFuture.runAsync(() -> {
                try (SSLSocket s = (SSLSocket) listener.accept()) {
                    s.setSoTimeout(5000);
                    s.startHandshake();
                    s.getOutputStream().write(1);
                    s.getInputStream().read();
                } catch (IOException e) {
                    // The client sees the failure too; the test asserts on its side.
                }
            });
            try (SSLSocket socket = (SSLSocket) client.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(),
                    listener.getLocalPort())) {
                socket.setSoTimeout(5000);
                socket.startHandshake();
                assertThat(socket.getInputStream().read()).isEqualTo(1); // TLS 1.3 reports client-cert failures here
                socket.getOutputStream().write(2);
                assertThat(socket.getSession().getProtocol()).isEqualTo("TLSv1.3");
                return Fingerprints.certificateSha256Hex((java.security.cert.X509Certificate) socket.getSession().getPeerCertificates()[0]);
            } finally {
                accepted.get(5, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void mutualTlsBetweenTwoSvidsOfTheTrustDomain() throws Exception {
        X509Svid server = svid(CA, SERVER);
        String seen = handshake(context(server, trust(PeerPolicy.anyMember())),
                context(svid(CA, CLIENT), trust(PeerPolicy.only(SERVER))));
        assertThat(seen).isEqualTo(Fingerprints.certificateSha256Hex(server.leaf()));
    }

    @Test
    void theClientRefusesAServerWithAnUnexpectedIdentity() throws Exception {
        SpiffeId impostor = SpiffeId.forWorkload(TD, "models", "impostor");
        assertThatThrownBy(() -> handshake(context(svid(CA, impostor), trust(PeerPolicy.anyMember())),
                context(svid(CA, CLIENT), trust(PeerPolicy.only(SERVER)))))
                .isInstanceOf(SSLHandshakeException.class);
    }

    @Test
    void theServerRefusesAClientFromAnotherCa() throws Exception {
        CaCredential rogue = RootCertificates.create(TD, Instant.now().minusSeconds(60), Duration.ofDays(1));
        assertThatThrownBy(() -> handshake(context(svid(CA, SERVER), trust(PeerPolicy.anyMember())),
                context(svid(rogue, CLIENT), trust(PeerPolicy.only(SERVER)))))
                .isInstanceOf(IOException.class);
    }

    @Test
    void aKeyManagerFollowsTheCurrentSvid() throws Exception {
        X509Svid first = svid(CA, SERVER);
        X509Svid renewed = svid(CA, SERVER);
        AtomicReference<X509Svid> current = new AtomicReference<>(first);
        SSLContext server = SSLContext.getInstance("TLSv1.3");
        server.init(new javax.net.ssl.KeyManager[] {new SvidKeyManager(current::get)},
                new javax.net.ssl.TrustManager[] {trust(PeerPolicy.anyMember())}, new SecureRandom());
        SSLContext client = context(svid(CA, CLIENT), trust(PeerPolicy.only(SERVER)));
        assertThat(handshake(server, client)).isEqualTo(Fingerprints.certificateSha256Hex(first.leaf()));
        current.set(renewed);
        assertThat(handshake(server, client)).isEqualTo(Fingerprints.certificateSha256Hex(renewed.leaf()));
    }

    @Test
    void aPinnedRootTrustsOnlyTheControlPlaneOfThatRoot() throws Exception {
        SpiffeId controlPlane = dev.aimesh.core.identity.MeshIdentities.controlPlane(TD);
        X509Svid cp = svid(CA, controlPlane);
        // The control plane presents its chain with the root appended, so a pin can find it.
        X509Svid presented = new X509Svid(controlPlane, cp.privateKey(), List.of(cp.leaf(), CA.root()));
        var pinned = new PinnedRootTrustManager(List.of("unrelated-pin", Fingerprints.spkiSha256(CA.root())), InstantSource.system());
        SSLContext server = context(presented, trust(PeerPolicy.anyMember()));
        SSLContext client = SSLContext.getInstance("TLSv1.3");
        X509Svid clientSvid = svid(CA, CLIENT);
        client.init(new javax.net.ssl.KeyManager[] {new SvidKeyManager(() -> clientSvid)},
                new javax.net.ssl.TrustManager[] {pinned}, new SecureRandom());
        assertThat(handshake(server, client)).isEqualTo(Fingerprints.certificateSha256Hex(cp.leaf()));

        var wrongPin = new PinnedRootTrustManager(List.of(Fingerprints.spkiSha256(
                RootCertificates.create(TD, Instant.now(), Duration.ofDays(1)).root())), InstantSource.system());
        assertThatThrownBy(() -> wrongPin.checkServerTrusted(presented.chain().toArray(java.security.cert.X509Certificate[]::new), "EC"))
                .hasMessageContaining("does not chain to the root pinned by the join token");

        // A workload's SVID from the right root is still not the control plane.
        X509Svid other = svid(CA, SERVER);
        assertThatThrownBy(() -> pinned.checkServerTrusted(new java.security.cert.X509Certificate[] {other.leaf(), CA.root()}, "EC"))
                .hasMessageContaining("expected " + controlPlane);
    }

    private static X509Svid svidIssuedAt(CaCredential ca, SpiffeId id, Instant issuedAt, Duration lifetime) throws Exception {
        KeyPair keys = Keys.newP256();
        byte[] csr = CertificateRequests.forSpiffeId(keys, id).getEncoded();
        var issued = (IssueDecision.Issued) SvidIssuer.issue(new SvidIssuer.Request(csr, id, lifetime, issuedAt), ca);
        return new X509Svid(id, keys.getPrivate(), issued.chain());
    }

    /**
     * The alert a client sends when it refuses a server presenting {@code server}: the JDK reports it as
     * "(alert) reason". (A JDK server sends certificate_unknown for any refused client certificate, whatever
     * the trust manager says; BoringSSL follows the trust manager both ways, see the proxy's tests.)
     */
    private static String alertSentRefusing(X509Svid server) {
        SpiffeId id = server.id();
        return org.assertj.core.api.Assertions.catchThrowable(() -> handshake(context(server, trust(PeerPolicy.anyMember())),
                context(svid(CA, CLIENT), trust(PeerPolicy.only(id))))).getMessage();
    }

    @Test
    void aRefusedCertificateGetsTheAlertThatNamesTheProblem() throws Exception {
        Instant now = Instant.now();
        assertThat(alertSentRefusing(svidIssuedAt(CA, SERVER, now.minus(Duration.ofHours(2)), Duration.ofHours(1))))
                .startsWith("(certificate_expired) the certificate of " + SERVER + " expired at");
        assertThat(alertSentRefusing(svidIssuedAt(RootCertificates.create(TD, now.minusSeconds(60), Duration.ofDays(1)), SERVER, now,
                Duration.ofHours(1)))).startsWith("(certificate_unknown) no valid path to a trusted root"); // the JDK has no unknown_ca
        KeyPair weak = dev.aimesh.identity.x509.CraftedCertificates.rsa(1024);
        var leaf = dev.aimesh.identity.x509.CraftedCertificates.leaf(CA.root(), CA.key(), weak.getPublic(), SERVER, "SHA256withECDSA",
                now.minusSeconds(10), now.plus(Duration.ofHours(1)));
        assertThat(alertSentRefusing(new X509Svid(SERVER, weak.getPrivate(), List.of(leaf))))
                .startsWith("(bad_certificate) the certificate of " + SERVER + " has an RSA key of 1024 bits");
    }

    @Test
    void refusalsSayWhichProblemTheyAre() throws Exception {
        X509Svid expired = svidIssuedAt(CA, CLIENT, Instant.now().minus(Duration.ofHours(2)), Duration.ofHours(1));
        assertThatThrownBy(() -> trust(PeerPolicy.anyMember()).checkClientTrusted(
                expired.chain().toArray(java.security.cert.X509Certificate[]::new), "EC"))
                .isInstanceOfSatisfying(RefusedCertificateException.class, e -> {
                    assertThat(e.problem()).isEqualTo(dev.aimesh.identity.x509.CertificateProblem.EXPIRED);
                    assertThat(e.getMessage()).contains("expired at " + expired.expiresAt());
                });
    }
}
