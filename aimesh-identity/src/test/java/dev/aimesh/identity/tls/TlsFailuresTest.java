package dev.aimesh.identity.tls;

import static org.assertj.core.api.Assertions.assertThat;

import javax.net.ssl.SSLHandshakeException;
import dev.aimesh.identity.x509.CertificateProblem;
import org.junit.jupiter.api.Test;

class TlsFailuresTest {
    @Test
    void theReasonIsTheMessageThatNamesTheProblemNotTheWrappersAroundIt() {
        Exception named = new RefusedCertificateException(CertificateProblem.EXPIRED,
                "the certificate of spiffe://td/ns/a/sa/b expired at 2026-01-01T00:00:00Z");
        Exception wrapped = new RuntimeException(
                (Exception) new SSLHandshakeException("Unexpected exception").initCause(named));
        assertThat(TlsFailures.reason(wrapped)).isEqualTo(named.getMessage());
    }

    @Test
    void aCauseWithoutAMessageLeavesTheLastMessageAbove() {
        Exception wrapped = new SSLHandshakeException("no certificate presented");
        wrapped.initCause(new NullPointerException());
        assertThat(TlsFailures.reason(wrapped)).isEqualTo("no certificate presented");
        assertThat(TlsFailures.reason(new IllegalStateException())).isEqualTo("java.lang.IllegalStateException");
    }
}
