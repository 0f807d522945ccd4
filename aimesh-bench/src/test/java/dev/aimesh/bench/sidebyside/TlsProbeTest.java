package dev.aimesh.bench.sidebyside;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What openssl s_client prints, as the parity table reads it. */
class TlsProbeTest {
    private static final String ACCEPTED = """
            CONNECTED(00000003)
            Server Temp Key: ECDH, prime256v1, 256 bits
            ---
            New, TLSv1.3, Cipher is TLS_AES_128_GCM_SHA256
            Verify return code: 0 (ok)
                0030 - aa 72 aa 23 5e 2e 42 89-fb 46 26 fb 51 51 bHTTP/1.1 200 OK\r
            Content-Length: 2\r
            \r
            ok
            closed
            """;
    private static final String REFUSED = """
            Server Temp Key: ECDH, prime256v1, 256 bits
            New, TLSv1.3, Cipher is TLS_AES_128_GCM_SHA256
            40E770509E7F0000:error:0A00045C:SSL routines:ssl3_read_bytes:tlsv13 alert certificate required:../ssl/record/rec_layer_s3.c:1601:SSL alert number 116
            """;
    private static final String XFCC_CHUNKED = "New, TLSv1.3, Cipher is TLS_AES_128_GCM_SHA256\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "2f\r\nBy=spiffe://bench.local/ns/bench/sa/server;Hash=ab\r\n0\r\n\r\nclosed\n";

    @Test
    void acceptedRefusedAndTheHeaderTheUpstreamSaw() {
        TlsProbe.Result r = TlsProbe.parse(ACCEPTED, REFUSED, XFCC_CHUNKED);
        assertThat(r.protocol()).isEqualTo("TLSv1.3");
        assertThat(r.group()).isEqualTo("ECDH, prime256v1, 256 bits");
        assertThat(r.cipher()).isEqualTo("TLS_AES_128_GCM_SHA256");
        assertThat(r.withCertificate()).isEqualTo("200");
        assertThat(r.acceptedClientCertificate()).isTrue();
        assertThat(r.withoutCertificate()).isEqualTo("refused (alert certificate required)");
        assertThat(r.refusedWithoutCertificate()).isTrue();
        assertThat(r.xfcc()).isEqualTo("By=spiffe://bench.local/ns/bench/sa/server;Hash=ab");
    }

    @Test
    void aBThatAnswersWithoutACertificateIsCaught() {
        TlsProbe.Result r = TlsProbe.parse(ACCEPTED, ACCEPTED, ACCEPTED);
        assertThat(r.refusedWithoutCertificate()).isFalse();
        assertThat(r.xfcc()).isEqualTo("ok");
        assertThat(TlsProbe.parse("connect: Connection refused", REFUSED, "").acceptedClientCertificate()).isFalse();
    }
}
