package dev.aimesh.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import dev.aimesh.core.identity.SpiffeId;
import dev.aimesh.testkit.CliProcess.Result;
import dev.aimesh.testkit.CliProcess;
import dev.aimesh.testkit.Curl;
import dev.aimesh.testkit.HeadRecordingUpstream;
import dev.aimesh.testkit.TestMesh;
import dev.aimesh.testkit.TlsClients;
import dev.aimesh.proxy.Proxy;
import dev.aimesh.proxy.ProxyOptions;
import dev.aimesh.proxy.agent.SvidFiles;
import dev.aimesh.proxy.agent.WorkloadIdentity;
import dev.aimesh.proxy.http.ProxyLimits;

/**
 * HTTP hygiene at both front doors (the app's outbound proxy and the model's inbound proxy), through curl,
 * nghttp and raw sockets where no client sends the bad input: how requests are framed for the model, what is
 * refused before it (never reaching it), what the proxy answers itself (408, 414, 100 Continue, 417), and
 * which headers never pass. The model is a raw socket that records each request head as it arrived.
 */
class ProtocolHygieneIT {
    private static final SpiffeId MODEL = SpiffeId.parse("spiffe://it.example/ns/models/sa/llm");
    /** A short request-headers timeout (the default is 10 s), so that the slowloris cases take seconds. */
    private static final Duration HEAD_TIMEOUT = Duration.ofSeconds(2);
    private static final ProxyLimits LIMITS = ProxyLimits.builder().requestHeadersTimeout(HEAD_TIMEOUT).build();

    @TempDir
    static Path tmp;
    private static TestMesh mesh;
    private static HeadRecordingUpstream model;
    private static Proxy server;
    private static Proxy client;
    private static WorkloadIdentity app;
    private static Path certs;

    @BeforeAll
    static void start() throws Exception {
        mesh = new TestMesh(tmp, TestMesh.meshWithLifetime("1h"), InstantSource.system());
        model = new HeadRecordingUpstream();
        server = mesh.serverProxy("models/model", model.address(), false, LIMITS);
        client = Proxy.start(new ProxyOptions(mesh.grpc(), Optional.of(mesh.token("apps/app")), Optional.empty(), Optional.empty(),
                Optional.empty(), false, Optional.of(new InetSocketAddress("127.0.0.1", 0)), "127.0.0.1", false, LIMITS, 2,
                InstantSource.system()));
        TestMesh.awaitModelEndpoint(client);
        app = mesh.join("apps/app");
        certs = tmp.resolve("app-certs");
        SvidFiles.write(certs, app.svid(), app.bundle());
    }

    @AfterAll
    static void stop() throws IOException {
        app.close();
        client.close();
        server.close();
        model.close();
        mesh.close();
    }

    private static String outbound() {
        return "http://127.0.0.1:" + client.outboundAddress().orElseThrow().getPort();
    }

    private static String inbound() {
        return "https://127.0.0.1:" + server.inboundAddress().orElseThrow().getPort();
    }

    /** curl to the outbound proxy as the app, HTTP/1.1 or h2c. */
    private static Result viaOutbound(String protocol, String path, String... args) {
        List<String> all = new ArrayList<>(List.of("-H", "Host: model.models"));
        all.addAll(List.of(args));
        return Curl.run(protocol, outbound() + path, all.toArray(String[]::new));
    }

    /** curl straight to the inbound proxy with the app's SVID (mTLS), HTTP/1.1 or HTTP/2 by ALPN. */
    private static Result viaInbound(String protocol, String path, String... args) {
        List<String> command = new ArrayList<>(List.of("curl", "-sS", "--max-time", "20", protocol.equals("h2") ? "--http2" : "--http1.1",
                "-k", "--cert", certs.resolve(SvidFiles.CERTIFICATE).toString(), "--key", certs.resolve(SvidFiles.KEY).toString(),
                "-w", "\nstatus=%{http_code}"));
        command.addAll(List.of(args));
        command.add(inbound() + path);
        return CliProcess.run(command, Map.of(), Duration.ofSeconds(30));
    }

    private static Result nghttp(String url, String... args) {
        List<String> command = new ArrayList<>(List.of("nghttp", "-v", "-t", "20"));
        if (url.startsWith("https")) {
            command.addAll(List.of("--cert", certs.resolve(SvidFiles.CERTIFICATE).toString(), "--key",
                    certs.resolve(SvidFiles.KEY).toString()));
        }
        command.addAll(List.of(args));
        command.add(url);
        return CliProcess.run(command, Map.of(), Duration.ofSeconds(30));
    }

    /** Sends raw bytes to the outbound proxy (plain text) and reads until it closes or stays quiet. */
    private static String rawOutbound(String request, int quietMillis) throws IOException {
        InetSocketAddress address = client.outboundAddress().orElseThrow();
        try (Socket socket = new Socket(address.getAddress(), address.getPort())) {
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.setSoTimeout(quietMillis);
            return TlsClients.readAll(socket.getInputStream());
        }
    }

    private static String rawInbound(String request, int quietMillis) throws Exception {
        try (SSLSocket socket = TlsClients.connect(server.inboundAddress().orElseThrow(), app.svid(), app.bundle(), MODEL)) {
            return TlsClients.exchange(socket, request.getBytes(StandardCharsets.ISO_8859_1), quietMillis);
        }
    }

    private static String raw(String side, String request, int quietMillis) throws Exception {
        return side.equals("outbound") ? rawOutbound(request, quietMillis) : rawInbound(request, quietMillis);
    }

    private static Result via(String side, String protocol, String path, String... args) {
        return side.equals("outbound") ? viaOutbound(protocol, path, args) : viaInbound(protocol, path, args);
    }

    // --- framing toward the model -----------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"http1.1", "h2"})
    void aBodilessGetReachesTheModelWithoutChunkedFramingAndABodyKeepsItsLength(String protocol) {
        Curl.assertStatus(viaOutbound(protocol, "/plain"), 200);
        assertThat(model.last()).startsWith("GET /plain HTTP/1.1").doesNotContainIgnoringCase("transfer-encoding")
                .doesNotContainIgnoringCase("content-length");
        Curl.assertStatus(viaOutbound(protocol, "/post", "--data-binary", "hello"), 200);
        assertThat(model.last()).startsWith("POST /post HTTP/1.1").containsIgnoringCase("content-length: 5")
                .doesNotContainIgnoringCase("transfer-encoding");
        Curl.assertStatus(viaInbound(protocol, "/direct"), 200);
        assertThat(model.last()).startsWith("GET /direct HTTP/1.1").doesNotContainIgnoringCase("transfer-encoding");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"outbound", "inbound"})
    void anHttp10RequestIsForwardedAsHttp11WithoutChunkedAndItsAnswerIsNotChunked(String side) throws Exception {
        String answer = side.equals("outbound")
                ? CliProcess.run(List.of("curl", "-sS", "-i", "--max-time", "20", "--http1.0", "-H", "Host: model.models",
                        outbound() + "/chunked"), Map.of(), Duration.ofSeconds(30)).out()
                : rawInbound("GET /chunked HTTP/1.0\r\nHost: model\r\n\r\n", 5000);
        assertThat(model.last()).startsWith("GET /chunked HTTP/1.1").doesNotContainIgnoringCase("transfer-encoding");
        assertThat(answer).startsWith("HTTP/1.1 200").doesNotContainIgnoringCase("transfer-encoding").endsWith("\r\n\r\nhello");
    }

    @ParameterizedTest(name = "{0} {1}")
    @org.junit.jupiter.params.provider.CsvSource({"outbound,http1.1", "outbound,h2", "inbound,http1.1", "inbound,h2"})
    void interimResponsesOfTheModelAreNotTakenForItsAnswer(String side, String protocol) {
        Result r = via(side, protocol, "/interim", "-i");
        Curl.assertStatus(r, 200);
        assertThat(r.out()).endsWith("ok\n\nstatus=200").doesNotContain("103").doesNotContain(" 100");
    }

    // --- what the proxy refuses or answers itself ---------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"outbound", "inbound"})
    void aMalformedPipelinedRequestGetsIts400AfterTheEarlierAnswersInOrder(String side) throws Exception {
        int before = model.heads().size();
        String host = side.equals("outbound") ? "model.models" : "model";
        String answer = raw(side, "GET /p1 HTTP/1.1\r\nHost: " + host + "\r\n\r\nGET /p2 HTTP/1.1\r\nHost: " + host + "\r\n\r\n"
                + "GET /p3 HTTP/1.1\r\nHost: " + host + "\r\nBad Header: x\r\n\r\n", 5000);
        assertThat(answer.split("HTTP/1.1 ", -1)).hasSize(4);
        assertThat(answer).containsSubsequence("HTTP/1.1 200", "ok\n", "HTTP/1.1 200", "ok\n", "HTTP/1.1 400",
                "x-aimesh-reason: malformed-request", "header name");
        assertThat(answer).doesNotContain("<SocketTimeoutException>");
        assertThat(model.heads().subList(before, model.heads().size())).hasSize(2)
                .allSatisfy(head -> assertThat(head).doesNotContain("/p3"));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"outbound", "inbound"})
    void aRequestHeadNotCompleteWithinTheTimeoutGets408AndTheConnectionCloses(String side) throws Exception {
        int before = model.heads().size();
        long start = System.nanoTime();
        // Quiet for longer than the timeout: the proxy must answer and close first.
        String answer = raw(side, "GET /slow HTTP/1.1\r\nHost: model\r\nX-Slow: a", 10_000);
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(answer).startsWith("HTTP/1.1 408").contains("x-aimesh-reason: request-headers-timeout")
                .contains("request-headers timeout of 2000 ms").contains("connection: close");
        assertThat(took).isBetween(HEAD_TIMEOUT.minusMillis(200), HEAD_TIMEOUT.plusSeconds(3));
        assertThat(model.heads()).hasSize(before);
    }

    @Test
    void aKeepAliveConnectionIdleBetweenRequestsIsNotTimedOutAsASlowHead() throws Exception {
        InetSocketAddress address = client.outboundAddress().orElseThrow();
        try (Socket socket = new Socket(address.getAddress(), address.getPort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write("GET /first HTTP/1.1\r\nHost: model.models\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(readResponse(socket.getInputStream())).startsWith("HTTP/1.1 200");
            Thread.sleep(HEAD_TIMEOUT.toMillis() + 1000); // idle, not slow: the idle timeout (5 min) governs
            out.write("GET /second HTTP/1.1\r\nHost: model.models\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(readResponse(socket.getInputStream())).startsWith("HTTP/1.1 200");
        }
    }

    private static String readResponse(InputStream in) throws IOException {
        StringBuilder out = new StringBuilder();
        while (!out.toString().endsWith("\r\n\r\nok\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            out.append((char) b);
        }
        return out.toString();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"outbound", "inbound"})
    void methodsHttp11RefusesAreRefusedOnHttp2Too(String side) throws Exception {
        int before = model.heads().size();
        assertThat(raw(side, "FOO /echo HTTP/1.1\r\nHost: model.models\r\n\r\n", 3000))
                .startsWith("HTTP/1.1 400").contains("unknown method 'FOO'");
        String url = side.equals("outbound") ? outbound() + "/echo" : inbound() + "/echo";
        for (String method : List.of("FOO", "get")) {
            Result r = nghttp(url, "-H", ":method: " + method, "-H", ":authority: model.models");
            assertThat(r.out()).as(r::toString).contains(":status: 400").contains("unknown method '" + method + "'");
        }
        assertThat(model.heads()).as("none reached the model").hasSize(before);
    }

    @ParameterizedTest(name = "{0} {1}")
    @org.junit.jupiter.params.provider.CsvSource({"outbound,http1.1", "outbound,h2", "inbound,http1.1", "inbound,h2"})
    void aRequestTargetOverTheLimitGets414(String side, String protocol) {
        int before = model.heads().size();
        Result r = via(side, protocol, "/" + "a".repeat(9 * 1024), "-i");
        Curl.assertStatus(r, 414);
        assertThat(r.out()).containsIgnoringCase("x-aimesh-reason: request-line-too-long");
        assertThat(model.heads()).hasSize(before);
    }

    @ParameterizedTest(name = "{0} {1}")
    @org.junit.jupiter.params.provider.CsvSource({"outbound,http1.1", "outbound,h2", "inbound,http1.1", "inbound,h2"})
    void expect100ContinueIsAnsweredByTheProxyOnceTheRequestMayGoOn(String side, String protocol) {
        // curl waits up to --expect100-timeout for the 100 before it sends the body anyway: 10 s shows who answered.
        Result r = via(side, protocol, "/upload", "-v", "-H", "Expect: 100-continue", "--expect100-timeout", "10",
                "--data-binary", "hello model", "-w", "\nstatus=%{http_code} took=%{time_total}");
        Curl.assertStatus(r, 200);
        assertThat(r.err()).contains(protocol.equals("h2") ? "HTTP/2 100" : "HTTP/1.1 100 Continue");
        assertThat(Double.parseDouble(r.out().replaceAll("(?s).*took=", "").strip())).isLessThan(5.0);
        assertThat(model.last()).startsWith("POST /upload HTTP/1.1").containsIgnoringCase("content-length: 11")
                .doesNotContainIgnoringCase("expect:");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"http1.1", "h2"})
    void aRefusedRequestThatExpects100IsAnsweredWithoutItsBodyAndAnotherExpectationGets417(String protocol) {
        int before = model.heads().size();
        Result refused = Curl.run(protocol, outbound() + "/upload", "-H", "Host: nowhere.invalid", "-H", "Expect: 100-continue",
                "--expect100-timeout", "10", "--data-binary", "a body the proxy must not read", "-w", "\nstatus=%{http_code} uploaded=%{size_upload}");
        Curl.assertStatus(refused, 502);
        assertThat(refused.out()).contains("uploaded=0");
        Result other = viaOutbound(protocol, "/upload", "-H", "Expect: something-else", "--data-binary", "x", "-i");
        Curl.assertStatus(other, 417);
        assertThat(other.out()).containsIgnoringCase("x-aimesh-reason: expectation-failed");
        assertThat(model.heads()).hasSize(before);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"outbound", "inbound"})
    void twoHostHeadersOrAHostUnlikeTheTargetAreRefused(String side) throws Exception {
        int before = model.heads().size();
        assertThat(raw(side, "GET /echo HTTP/1.1\r\nHost: model.models\r\nHost: other.models\r\n\r\n", 3000))
                .startsWith("HTTP/1.1 400").contains("more than one Host header");
        assertThat(raw(side, "GET /echo HTTP/1.1\r\nHost: model.models\r\nHost: model.models\r\n\r\n", 3000))
                .startsWith("HTTP/1.1 400");
        assertThat(raw(side, "GET http://model.models/echo HTTP/1.1\r\nHost: other.models\r\n\r\n", 3000))
                .startsWith("HTTP/1.1 400").contains("differs from the authority");
        String url = side.equals("outbound") ? outbound() + "/echo" : inbound() + "/echo";
        // On HTTP/2 the codec resets such a stream (RFC 9113 8.1.1 allows either a 400 or a reset).
        Result h2 = nghttp(url, "-H", ":authority: model.models", "-H", "host: other.models");
        assertThat(h2.out()).as(h2::toString).doesNotContain(":status: 200").containsPattern(":status: 400|recv RST_STREAM");
        assertThat(model.heads()).as("none reached the model").hasSize(before);
        Result sameOnH2 = nghttp(url, "-H", ":authority: model.models", "-H", "host: model.models");
        assertThat(sameOnH2.out()).as(sameOnH2::toString).contains(":status: 200");
    }

    @Test
    void curlThroughHttpProxyWithAForeignHostIsRefused() {
        int before = model.heads().size();
        Result r = CliProcess.run(List.of("curl", "-sS", "--max-time", "20", "-w", "\nstatus=%{http_code}", "-x", outbound(),
                "-H", "Host: other.models", "http://model.models/echo"), Map.of(), Duration.ofSeconds(30));
        Curl.assertStatus(r, 400);
        assertThat(model.heads()).hasSize(before);
    }

    // --- headers that never pass --------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"http1.1", "h2"})
    void headerNamesWithUnderscoresAndInternalHeadersNeverReachTheModel(String protocol) {
        Result r = viaOutbound(protocol, "/headers", "-H", "x_forwarded_client_cert: By=spoofed", "-H", "X_User: admin",
                "-H", "x-http2-path: /admin", "-H", "x-http2-scheme: https", "-H", "x-kept: yes");
        Curl.assertStatus(r, 200);
        assertThat(model.last()).startsWith("GET /headers HTTP/1.1").contains("x-kept: yes").doesNotContain("_")
                .doesNotContainIgnoringCase("x-http2-").doesNotContain("spoofed");
        Result direct = viaInbound(protocol, "/headers", "-H", "x_forwarded_client_cert: By=spoofed", "-H", "x-http2-stream-id: 9");
        Curl.assertStatus(direct, 200);
        assertThat(model.last()).doesNotContain("_").doesNotContainIgnoringCase("x-http2-");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"http1.1", "h2"})
    void internalHeadersNeverReachTheClient(String protocol) {
        for (Result r : List.of(viaOutbound(protocol, "/plain", "-i"), viaInbound(protocol, "/plain", "-i"),
                viaOutbound(protocol, "/chunked", "-i"))) {
            Curl.assertStatus(r, 200);
            assertThat(r.out()).doesNotContainIgnoringCase("x-http2-");
        }
    }
}
