package dev.aimesh.proxy.filter.dlp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import dev.aimesh.core.identity.SpiffeId;
import dev.aimesh.proxy.filter.PeerIdentity;
import dev.aimesh.proxy.filter.TestExchanges;

/**
 * The filter in a real exchange handler, on an HTTP/1.1 connection and on an HTTP/2 stream, in front of an HTTP/1.1
 * model: a prompt with a card never reaches the model, a masked prompt reaches it with its new length, and a
 * streamed or JSON response reaches a dev caller redacted and framed for its new length.
 */
class DataLossPreventionPipelineTest {
    private final DlpTestPolicies.Events events = new DlpTestPolicies.Events();
    private final EmbeddedChannel upstream = new EmbeddedChannel();
    private EmbeddedChannel downstream;
    private boolean http2;

    @AfterEach
    void close() {
        downstream.finishAndReleaseAll();
        upstream.finishAndReleaseAll();
    }

    private void open(boolean overHttp2, String caller) {
        http2 = overHttp2;
        var filter = new DataLossPreventionFilter(new DataLossPreventionConfig(events));
        downstream = TestExchanges.downstream(http2, DlpTestPolicies.snapshot(DlpTestPolicies.rules(DlpTestPolicies.POLICY),
                TestExchanges.chain(TestExchanges.upstream(upstream), filter)));
        downstream.attr(PeerIdentity.KEY).set(new PeerIdentity(SpiffeId.parse("spiffe://cluster.local/ns/" + caller + "/sa/chat"),
                ""));
    }

    private void post(String body) {
        if (http2) {
            downstream.writeInbound(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().method("POST").path("/v1/chat/completions")
                    .scheme("https").authority("sentiment.models").add("content-type", "application/json")
                    .add("content-length", Integer.toString(body.length())), false),
                    new DefaultHttp2DataFrame(Unpooled.copiedBuffer(body, StandardCharsets.UTF_8), true));
        } else {
            downstream.writeInbound(Unpooled.copiedBuffer("POST /v1/chat/completions HTTP/1.1\r\nHost: sentiment.models\r\n"
                    + "Content-Type: application/json\r\nAccept-Encoding: gzip\r\nContent-Length: " + body.length() + "\r\n\r\n"
                    + body, StandardCharsets.UTF_8));
        }
    }

    /** What the model got: its head and its body as text. */
    private Object[] forwarded() {
        HttpRequest head = null;
        StringBuilder body = new StringBuilder();
        Object msg;
        while ((msg = upstream.readOutbound()) != null) {
            if (msg instanceof HttpRequest r) {
                head = r;
            }
            if (msg instanceof HttpContent c) {
                body.append(c.content().toString(StandardCharsets.UTF_8));
            }
            ReferenceCountUtil.release(msg);
        }
        return new Object[] {head, body.toString()};
    }

    /** What the client got: the head's fields ({@code status} first) and the body, as text. */
    private List<String> answered() {
        List<String> head = new ArrayList<>();
        StringBuilder body = new StringBuilder();
        ByteBuf raw = Unpooled.buffer();
        Object msg;
        while ((msg = downstream.readOutbound()) != null) {
            if (msg instanceof Http2HeadersFrame h && head.isEmpty()) {
                h.headers().forEach(e -> head.add(e.getKey() + ": " + e.getValue()));
            } else if (msg instanceof Http2DataFrame d) {
                body.append(d.content().toString(StandardCharsets.UTF_8));
            } else if (msg instanceof ByteBuf b) {
                raw.writeBytes(b);
            }
            ReferenceCountUtil.release(msg);
        }
        if (!http2) {
            String text = raw.toString(StandardCharsets.UTF_8);
            int end = text.indexOf("\r\n\r\n");
            head.addAll(List.of(text.substring(0, end).toLowerCase(java.util.Locale.ROOT).split("\r\n")));
            body.append(dechunked(text.substring(end + 4), head));
        }
        raw.release();
        head.add(body.toString());
        return head;
    }

    private static String dechunked(String body, List<String> head) {
        if (!head.contains("transfer-encoding: chunked")) {
            return body;
        }
        StringBuilder out = new StringBuilder();
        int at = 0;
        while (true) {
            int eol = body.indexOf("\r\n", at);
            int size = Integer.parseInt(body.substring(at, eol), 16);
            if (size == 0) {
                return out.toString();
            }
            out.append(body, eol + 2, eol + 2 + size);
            at = eol + 2 + size + 2;
        }
    }

    @ParameterizedTest(name = "HTTP/2: {0}")
    @ValueSource(booleans = {false, true})
    void aPromptWithACardIsRefusedAndNeverReachesTheModel(boolean overHttp2) {
        open(overHttp2, "apps");
        post("{\"messages\":[{\"role\":\"user\",\"content\":\"my card: 4111-1111-1111-1111\"}]}");
        assertThat(forwarded()[0]).isNull();
        List<String> answer = answered();
        assertThat(answer.get(0)).contains("403");
        assertThat(answer).contains("x-aimesh-reason: dlp-blocked");
        assertThat(answer.get(answer.size() - 1)).contains("payment-card").doesNotContain("4111");
    }

    @ParameterizedTest(name = "HTTP/2: {0}")
    @ValueSource(booleans = {false, true})
    void aMaskedPromptReachesTheModelWithItsNewLength(boolean overHttp2) {
        open(overHttp2, "apps");
        post("{\"prompt\":\"my ssn is 123-45-6789\"}");
        Object[] sent = forwarded();
        HttpRequest head = (HttpRequest) sent[0];
        assertThat(sent[1]).isEqualTo("{\"prompt\":\"my ssn is ***-**-6789\"}");
        assertThat(head.headers().get("content-length")).isEqualTo(Integer.toString(((String) sent[1]).length()));
        assertThat(head.headers().contains("accept-encoding")).isFalse();
    }

    @ParameterizedTest(name = "HTTP/2: {0}")
    @ValueSource(booleans = {false, true})
    void aStreamedResponseReachesADevCallerRedactedEventByEvent(boolean overHttp2) {
        open(overHttp2, "dev");
        post("{\"stream\":true}");
        forwarded();
        DefaultHttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        response.headers().set("content-type", "text/event-stream").set("transfer-encoding", "chunked");
        upstream.writeInbound(response,
                new DefaultHttpContent(Unpooled.copiedBuffer("data: {\"choices\":[{\"delta\":{\"content\":\"write ana\"}}]}\n\n",
                        StandardCharsets.UTF_8)),
                new DefaultHttpContent(Unpooled.copiedBuffer("data: {\"choices\":[{\"delta\":{\"content\":\"@example.com"
                        + " soon\"}}]}\n\n", StandardCharsets.UTF_8)),
                new DefaultLastHttpContent(Unpooled.copiedBuffer("data: [DONE]\n\n", StandardCharsets.UTF_8)));
        List<String> answer = answered();
        assertThat(answer.get(answer.size() - 1)).isEqualTo("data: {\"choices\":[{\"delta\":{\"content\":\"write \"}}]}\n\n"
                + "data: {\"choices\":[{\"delta\":{\"content\":\"[EMAIL] \"}}]}\n\n"
                + "data: {\"choices\":[{\"delta\":{\"content\":\"soon\"}}]}\n\ndata: [DONE]\n\n");
    }

    @ParameterizedTest(name = "HTTP/2: {0}")
    @ValueSource(booleans = {false, true})
    void aJsonResponseWithALengthReachesADevCallerRedactedAndFramedAnew(boolean overHttp2) {
        open(overHttp2, "dev");
        post("{}");
        forwarded();
        String body = "{\"choices\":[{\"message\":{\"content\":\"mail ana@example.com\"}}]}";
        DefaultHttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        response.headers().set("content-type", "application/json").set("content-length", body.length());
        upstream.writeInbound(response, new DefaultHttpContent(Unpooled.copiedBuffer(body.substring(0, 30), StandardCharsets.UTF_8)),
                new DefaultLastHttpContent(Unpooled.copiedBuffer(body.substring(30), StandardCharsets.UTF_8)));
        List<String> answer = answered();
        assertThat(answer).noneMatch(line -> line.startsWith("content-length: " + body.length()));
        assertThat(answer.get(answer.size() - 1)).isEqualTo("{\"choices\":[{\"message\":{\"content\":\"mail [EMAIL]\"}}]}");
        assertThat(events.reported).hasSize(1);
    }
}
