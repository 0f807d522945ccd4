package dev.aimesh.proxy.warmup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
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
import dev.aimesh.proxy.http.ProxyLimits;
import dev.aimesh.proxy.net.EventLoops;
import dev.aimesh.proxy.tls.MeshTls;

/**
 * The warm-up calls through real listeners, an mTLS connection between its two sides and a model on loopback,
 * over HTTP/1.1 and HTTP/2, within its budget and count; it leaves no connection or listener open, and one
 * that cannot call (a trust bundle that does not hold its own root) ends at once with its failures counted.
 */
class DataPathWarmUpTest {
    private static final TrustDomain TD = TrustDomain.parse("example.org");
    private static final SpiffeId SELF = SpiffeId.forWorkload(TD, "models", "llm");
    private static final CaCredential ROOT = RootCertificates.create(TD, Instant.now().minusSeconds(60), Duration.ofDays(1));
    private static final CaCredential OTHER_ROOT = RootCertificates.create(TD, Instant.now().minusSeconds(60), Duration.ofDays(1));

    private final EventLoops loops = new EventLoops(1, "warm-up-test");

    @AfterEach
    void close() {
        loops.close();
    }

    private static X509Svid svid() throws Exception {
        KeyPair keys = Keys.newP256();
        byte[] csr = CertificateRequests.forSpiffeId(keys, SELF).getEncoded();
        var issued = (IssueDecision.Issued) SvidIssuer.issue(new SvidIssuer.Request(csr, SELF, Duration.ofHours(1), Instant.now()), ROOT);
        return new X509Svid(SELF, keys.getPrivate(), issued.chain());
    }

    private DataPathWarmUp.Result run(WarmUpConfig config, boolean modelHttp2, CaCredential trusted) throws Exception {
        X509Svid own = svid();
        TrustBundle bundle = new TrustBundle(1, List.of(trusted.root()));
        MeshTls tls = new MeshTls(() -> own, () -> bundle, TD, InstantSource.system(), false);
        return DataPathWarmUp.run(config, loops, tls, SELF, ProxyLimits.DEFAULTS, modelHttp2);
    }

    @ParameterizedTest(name = "model over HTTP/2: {0}")
    @ValueSource(booleans = {false, true})
    void callsOverBothProtocolsUpToItsCountAndLeavesNothingOpen(boolean modelHttp2) throws Exception {
        DataPathWarmUp.Result result = run(new WarmUpConfig(Duration.ofSeconds(30), 400), modelHttp2, ROOT);
        assertThat(result.failed()).isZero();
        assertThat(result.http1()).isPositive();
        assertThat(result.http2()).isPositive();
        assertThat(result.http1() + result.http2()).isEqualTo(400);
        assertThat(result.took()).isLessThan(Duration.ofSeconds(30));
        await().atMost(Duration.ofSeconds(5)).until(() -> loops.openChannels() == 0);
    }

    @Test
    void stopsAtItsBudget() throws Exception {
        DataPathWarmUp.Result result = run(new WarmUpConfig(Duration.ofMillis(300), Integer.MAX_VALUE), false, ROOT);
        assertThat(result.failed()).isZero();
        assertThat(result.http1() + result.http2()).isPositive();
        assertThat(result.took()).isLessThan(Duration.ofSeconds(5));
        await().atMost(Duration.ofSeconds(5)).until(() -> loops.openChannels() == 0);
    }

    @Test
    void aWarmUpThatCannotCallEndsAtOnceAndCountsItsFailures() throws Exception {
        DataPathWarmUp.Result result = run(new WarmUpConfig(Duration.ofSeconds(30), Integer.MAX_VALUE), false, OTHER_ROOT);
        assertThat(result.failed()).isPositive();
        assertThat(result.http1() + result.http2()).isZero();
        assertThat(result.took()).isLessThan(Duration.ofSeconds(15));
        await().atMost(Duration.ofSeconds(5)).until(() -> loops.openChannels() == 0);
    }

    @Test
    void offDoesNothing() throws Exception {
        DataPathWarmUp.Result result = run(WarmUpConfig.OFF, false, ROOT);
        assertThat(result).isEqualTo(new DataPathWarmUp.Result(0, 0, 0, Duration.ZERO));
        assertThat(loops.openChannels()).isZero();
    }
}
