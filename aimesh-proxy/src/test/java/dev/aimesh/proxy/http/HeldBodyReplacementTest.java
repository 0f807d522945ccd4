package dev.aimesh.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import dev.aimesh.proxy.filter.ExchangeContext;
import dev.aimesh.proxy.filter.FilterDecision;
import dev.aimesh.proxy.filter.HttpFilter;
import dev.aimesh.proxy.filter.RequestHead;

/**
 * A filter that held the whole request body gives another in its place (what DLP does with a prompt): the model
 * gets that body, with its length, and never the one the client sent; HTTP/1.1 and HTTP/2 alike.
 */
class HeldBodyReplacementTest {
    private static final String SENT = "{\"prompt\":\"my card is 4111 1111 1111 1111\"}";
    private static final String REDACTED = "{\"prompt\":\"my card is [redacted]\"}";

    private final EmbeddedChannel upstream = new EmbeddedChannel();
    private EmbeddedChannel downstream;

    @AfterEach
    void close() {
        downstream.finishAndReleaseAll();
        upstream.finishAndReleaseAll();
    }

    private final HttpFilter redactor = new HttpFilter() {
        @Override
        public String name() {
            return "redactor";
        }

        @Override
        public FilterDecision onRequestHeaders(ExchangeContext exchange, RequestHead head) {
            return new FilterDecision.Hold(1024, new FilterDecision.OverCap.Refuse(
                    new FilterDecision.Respond(413, "too-large", "over 1 KiB")));
        }

        @Override
        public FilterDecision onHeldRequestBody(ExchangeContext exchange, RequestHead head, ByteBuf body, boolean complete) {
            String text = body.toString(StandardCharsets.US_ASCII);
            return new FilterDecision.ReplaceChunk(Unpooled.copiedBuffer(text.replace("4111 1111 1111 1111", "[redacted]"),
                    StandardCharsets.US_ASCII));
        }
    };

    private void open(boolean http2) {
        downstream = TestDownstreams.open(http2, upstream, false, redactor);
    }

    private List<Object> sent() {
        return TestDownstreams.outbound(upstream);
    }

    private static String body(List<Object> parts) {
        StringBuilder text = new StringBuilder();
        for (Object part : parts) {
            if (part instanceof HttpContent content) {
                text.append(content.content().toString(StandardCharsets.US_ASCII));
            }
        }
        return text.toString();
    }

    @Test
    void http11TheModelGetsTheReplacementWithItsLength() {
        open(false);
        downstream.writeInbound(Unpooled.copiedBuffer("POST /v1/chat HTTP/1.1\r\nHost: model\r\nContent-Length: " + SENT.length()
                + "\r\n\r\n" + SENT.substring(0, 10), StandardCharsets.US_ASCII));
        downstream.writeInbound(Unpooled.copiedBuffer(SENT.substring(10), StandardCharsets.US_ASCII));
        List<Object> parts = sent();
        HttpRequest head = (HttpRequest) parts.get(0);
        assertThat(head.headers().get("content-length")).isEqualTo(Integer.toString(REDACTED.length()));
        assertThat(body(parts)).isEqualTo(REDACTED);
        assertThat(parts.get(parts.size() - 1)).isInstanceOf(LastHttpContent.class);
        parts.forEach(ReferenceCountUtil::release);
    }

    @Test
    void http2TheModelGetsTheReplacementAndTheTrailersStay() {
        open(true);
        var headers = new DefaultHttp2Headers().method("POST").path("/v1/chat").scheme("https").authority("model");
        headers.setInt("content-length", SENT.length());
        downstream.writeInbound(new DefaultHttp2HeadersFrame(headers, false),
                new DefaultHttp2DataFrame(Unpooled.copiedBuffer(SENT, StandardCharsets.US_ASCII), false),
                new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().add("x-checksum", "1"), true));
        downstream.runPendingTasks();
        List<Object> parts = sent();
        // The upstream here speaks HTTP/1.1: the frames were translated once, after the replacement; trailers need
        // chunked framing there, so no length is stated.
        HttpRequest head = (HttpRequest) parts.get(0);
        assertThat(head.headers().get("content-length")).isNull();
        assertThat(head.headers().get("transfer-encoding")).isEqualTo("chunked");
        assertThat(body(parts)).isEqualTo(REDACTED);
        LastHttpContent end = (LastHttpContent) parts.get(parts.size() - 1);
        assertThat(end.trailingHeaders().get("x-checksum")).isEqualTo("1");
        parts.forEach(ReferenceCountUtil::release);
    }

    @Test
    void http2ToAnHttp2HopTheReplacementIsTheDataFrame() {
        downstream = TestDownstreams.open(true, upstream, true, redactor);
        var headers = new DefaultHttp2Headers().method("POST").path("/v1/chat").scheme("https").authority("model");
        downstream.writeInbound(new DefaultHttp2HeadersFrame(headers, false),
                new DefaultHttp2DataFrame(Unpooled.copiedBuffer(SENT, StandardCharsets.US_ASCII), true));
        downstream.runPendingTasks();
        List<Object> parts = sent();
        assertThat(((Http2HeadersFrame) parts.get(0)).headers().getInt("content-length")).isEqualTo(REDACTED.length());
        Http2DataFrame data = (Http2DataFrame) parts.get(1);
        assertThat(data.content().toString(StandardCharsets.US_ASCII)).isEqualTo(REDACTED);
        assertThat(data.isEndStream()).isTrue();
        parts.forEach(ReferenceCountUtil::release);
    }
}
