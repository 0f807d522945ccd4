package dev.aimesh.proxy.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Set;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import io.netty.handler.ssl.SslProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import dev.aimesh.core.identity.SpiffeId;
import dev.aimesh.core.identity.TrustDomain;
import dev.aimesh.identity.ca.CaCredential;
import dev.aimesh.identity.ca.IssueDecision;
import dev.aimesh.identity.ca.RootCertificates;
import dev.aimesh.identity.ca.SvidIssuer;
import dev.aimesh.identity.tls.PeerPolicy;
import dev.aimesh.identity.tls.SpiffeTrustManager;
import dev.aimesh.identity.tls.SvidKeyManager;
import dev.aimesh.identity.x509.CertificateRequests;
import dev.aimesh.identity.x509.Keys;
import dev.aimesh.identity.x509.TrustBundle;
import dev.aimesh.identity.x509.X509Svid;
import dev.aimesh.proxy.filter.common.SecurityEventSink;
import dev.aimesh.proxy.filter.netpol.ConnectionAdmission;
import dev.aimesh.proxy.http.ProxyLimits;
import dev.aimesh.core.authz.Authorizer;
import dev.aimesh.proxy.filter.FilterChain;
import dev.aimesh.proxy.filter.FilterDecision;
import dev.aimesh.proxy.filter.TestExchanges;
import dev.aimesh.proxy.snapshot.SnapshotHolder;
import dev.aimesh.proxy.net.EventLoops;
import dev.aimesh.proxy.tls.MeshTls;

/**
 * A fatal TLS error after the handshake (a record that does not decrypt, an alert from the peer) ends the
 * inbound connection at once, on BoringSSL and on the JDK, for HTTP/1.1 and HTTP/2: before, the socket stayed
 * open until the 5-minute idle timeout.
 */
class InboundTlsErrorsTest {
    private static final TrustDomain TD = TrustDomain.parse("example.org");
    private static final SpiffeId SERVER = SpiffeId.forWorkload(TD, "models", "llm");
    private static final SpiffeId CLIENT = SpiffeId.forWorkload(TD, "apps", "chat");
    private static final CaCredential ROOT = RootCertificates.create(TD, Instant.now().minusSeconds(60), Duration.ofDays(1));
    /** An application-data record whose bytes were never encrypted with the session's keys. */
    private static final byte[] UNDECRYPTABLE = record(0x17, new byte[64]);
    /** A plain-text fatal alert (handshake_failure) where only encrypted records may come. */
    private static final byte[] FATAL_ALERT = record(0x15, new byte[] {2, 40});

    private final EventLoops loops = new EventLoops(1, "inbound-tls-test");
    private InboundListener inbound;

    @AfterEach
    void stop() {
        if (inbound != null) {
            inbound.close();
        }
        loops.close();
    }

    private static byte[] record(int type, byte[] payload) {
        byte[] r = new byte[5 + payload.length];
        r[0] = (byte) type;
        r[1] = 3;
        r[2] = 3;
        r[3] = (byte) (payload.length >> 8);
        r[4] = (byte) payload.length;
        System.arraycopy(payload, 0, r, 5, payload.length);
        return r;
    }

    private static X509Svid svid(SpiffeId id) throws Exception {
        KeyPair keys = Keys.newP256();
        byte[] csr = CertificateRequests.forSpiffeId(keys, id).getEncoded();
        var issued = (IssueDecision.Issued) SvidIssuer.issue(new SvidIssuer.Request(csr, id, Duration.ofHours(1), Instant.now()), ROOT);
        return new X509Svid(id, keys.getPrivate(), issued.chain());
    }

    private final SnapshotHolder.Source source = TestExchanges.source(TestExchanges.snapshot(
            TestExchanges.policy("1", Authorizer.allowAll()), new FilterChain(List.of(),
                    (exchange, head) -> new FilterDecision.Respond(403, "denied", "denied"), SecurityEventSink.NONE)));

    private InetSocketAddress start(SslProvider provider) throws Exception {
        X509Svid own = svid(SERVER);
        TrustBundle bundle = new TrustBundle(1, List.of(ROOT.root()));
        MeshTls tls = new MeshTls(() -> own, () -> bundle, TD, InstantSource.system(), false, provider);
        inbound = new InboundListener(new InetSocketAddress("127.0.0.1", 0), loops, tls, SERVER,
                source, ProxyLimits.DEFAULTS, new ConnectionAdmission(source.holder()),
                new InboundListener.Refusals(SecurityEventSink.NONE));
        return inbound.address();
    }

    /** A TLS 1.3 connection with a valid SVID, layered on a raw socket the test can write bad records to. */
    private static Socket handshake(InetSocketAddress address, String alpn, boolean exchangeFirst) throws Exception {
        X509Svid client = svid(CLIENT);
        TrustBundle bundle = new TrustBundle(1, List.of(ROOT.root()));
        SSLContext context = SSLContext.getInstance("TLSv1.3");
        context.init(new KeyManager[] {new SvidKeyManager(() -> client)}, new TrustManager[] {new SpiffeTrustManager(
                () -> bundle, TD, Set::of, PeerPolicy.only(SERVER), InstantSource.system())}, new SecureRandom());
        Socket raw = new Socket(address.getAddress(), address.getPort());
        SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(raw, "127.0.0.1", address.getPort(), false);
        tls.setEnabledProtocols(new String[] {"TLSv1.3"});
        var params = tls.getSSLParameters();
        params.setApplicationProtocols(new String[] {alpn});
        tls.setSSLParameters(params);
        tls.startHandshake();
        if (exchangeFirst) {
            // a request answered, or the HTTP/2 preface answered: the connection is in use
            tls.getOutputStream().write((alpn.equals("h2") ? "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" : "GET / HTTP/1.1\r\nHost: llm\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            if (alpn.equals("h2")) {
                tls.getOutputStream().write(new byte[] {0, 0, 0, 4, 0, 0, 0, 0, 0});
            }
            tls.getOutputStream().flush();
            tls.setSoTimeout(5_000);
            assertThat(tls.getInputStream().read()).isNotNegative();
        }
        return raw;
    }

    /** Whether the server closes the connection within two seconds (an alert it sends first is read past). */
    private static boolean closedWithinTwoSeconds(Socket raw) throws Exception {
        raw.setSoTimeout(2_000);
        InputStream in = raw.getInputStream();
        byte[] buffer = new byte[4096];
        long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        try {
            while (System.nanoTime() < deadline) {
                if (in.read(buffer) < 0) {
                    return true;
                }
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (java.net.SocketException e) {
            return true; // reset by the server
        }
        return false;
    }

    @ParameterizedTest(name = "{0} {1} {2}, {3}")
    @CsvSource({
            "OPENSSL, http/1.1, undecryptable, right after the handshake", "OPENSSL, http/1.1, undecryptable, in use",
            "OPENSSL, http/1.1, alert, right after the handshake", "OPENSSL, http/1.1, alert, in use",
            "OPENSSL, h2, undecryptable, right after the handshake", "OPENSSL, h2, undecryptable, in use",
            "OPENSSL, h2, alert, right after the handshake", "OPENSSL, h2, alert, in use",
            "JDK, http/1.1, undecryptable, right after the handshake", "JDK, http/1.1, undecryptable, in use",
            "JDK, http/1.1, alert, right after the handshake", "JDK, http/1.1, alert, in use",
            "JDK, h2, undecryptable, right after the handshake", "JDK, h2, undecryptable, in use",
            "JDK, h2, alert, right after the handshake", "JDK, h2, alert, in use"})
    void aFatalTlsErrorAfterTheHandshakeClosesTheConnectionAtOnce(SslProvider provider, String alpn, String what, String when)
            throws Exception {
        try (Socket raw = handshake(start(provider), alpn, when.equals("in use"))) {
            OutputStream out = raw.getOutputStream();
            out.write(what.equals("alert") ? FATAL_ALERT : UNDECRYPTABLE);
            out.flush();

            assertThat(closedWithinTwoSeconds(raw)).as("the server closed the connection").isTrue();
        }
    }
}
