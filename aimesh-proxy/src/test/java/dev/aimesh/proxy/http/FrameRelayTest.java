package dev.aimesh.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import dev.aimesh.proxy.filter.ExchangeContext;
import dev.aimesh.proxy.filter.FilterDecision;
import dev.aimesh.proxy.filter.HttpFilter;

/**
 * Between two HTTP/2 hops the exchange passes the frames it read, not HttpObjects; where one hop speaks HTTP/1.1
 * it translates once, in each direction.
 */
class FrameRelayTest {
    private final EmbeddedChannel upstream = new EmbeddedChannel();
    private EmbeddedChannel downstream;

    @AfterEach
    void close() {
        downstream.finishAndReleaseAll();
        upstream.finishAndReleaseAll();
    }

    private void open(boolean downstreamHttp2, boolean upstreamHttp2, HttpFilter... filters) {
        downstream = TestDownstreams.open(downstreamHttp2, upstream, upstreamHttp2, filters);
    }

    private static Http2Headers post(String path) {
        return new DefaultHttp2Headers().method("POST").path(path).scheme("https").authority("model.models");
    }

    private static ByteBuf ascii(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII);
    }

    private static List<Object> drain(EmbeddedChannel channel) {
        return TestDownstreams.outbound(channel);
    }

    private static String text(Object part) {
        ByteBuf content = part instanceof Http2DataFrame data ? data.content() : ((HttpContent) part).content();
        return content.toString(StandardCharsets.US_ASCII);
    }

    @Test
    void betweenTwoHttp2HopsTheFramesReadAreTheFramesSent() {
        open(true, true);
        Http2HeadersFrame head = new DefaultHttp2HeadersFrame(post("/v1/chat").add("content-type", "application/json"), false);
        Http2DataFrame body = new DefaultHttp2DataFrame(ascii("{\"a\":1}"), false);
        Http2HeadersFrame trailers = new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().add("x-checksum", "9"), true);
        downstream.writeInbound(head, body, trailers);

        List<Object> sent = drain(upstream);
        assertThat(sent).as("no HttpObject on the way").noneMatch(HttpObject.class::isInstance);
        assertThat(sent).hasSize(3);
        assertThat(sent.get(0)).isSameAs(head);
        assertThat(sent.get(1)).isSameAs(body);
        assertThat(sent.get(2)).isSameAs(trailers);
        assertThat(((Http2HeadersFrame) sent.get(0)).headers().get("content-type")).hasToString("application/json");

        Http2HeadersFrame response = new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("200"), false);
        Http2DataFrame chunk = new DefaultHttp2DataFrame(ascii("data: hi\n\n"), false);
        Http2HeadersFrame status = new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().add("grpc-status", "0"), true);
        upstream.writeInbound(response, chunk, status);
        List<Object> answered = drain(downstream);
        assertThat(answered).hasSize(3);
        assertThat(answered.get(0)).isSameAs(response);
        assertThat(answered.get(1)).isSameAs(chunk);
        assertThat(answered.get(2)).isSameAs(status);
        answered.forEach(ReferenceCountUtil::release);
        sent.forEach(ReferenceCountUtil::release);
    }

    @Test
    void anHttp2RequestToAnHttp11ModelIsTranslatedOnceEachWay() {
        open(true, false);
        downstream.writeInbound(new DefaultHttp2HeadersFrame(post("/v1/chat"), false),
                new DefaultHttp2DataFrame(ascii("hello"), true));
        List<Object> sent = drain(upstream);
        HttpRequest request = (HttpRequest) sent.get(0);
        assertThat(request.uri()).isEqualTo("/v1/chat");
        assertThat(request.headers().get("host")).isEqualTo("model.models");
        assertThat(request.headers().get("transfer-encoding")).as("a streamed body of no stated length").isEqualTo("chunked");
        assertThat(request.headers().names()).noneMatch(name -> name.startsWith("x-http2-"));
        assertThat(sent.get(1)).isInstanceOf(LastHttpContent.class);
        assertThat(text(sent.get(1))).isEqualTo("hello");
        sent.forEach(ReferenceCountUtil::release);

        DefaultHttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        response.headers().set("content-type", "text/event-stream").set("connection", "keep-alive");
        LastHttpContent end = new DefaultLastHttpContent(ascii("data: hi\n\n"));
        end.trailingHeaders().set("x-tokens", "3");
        upstream.writeInbound(response, end);
        List<Object> answered = drain(downstream);
        assertThat(answered).hasSize(3);
        Http2Headers head = ((Http2HeadersFrame) answered.get(0)).headers();
        assertThat(head.status()).hasToString("200");
        assertThat(head.contains("connection")).as("HTTP/2 carries no connection header").isFalse();
        assertThat(((Http2HeadersFrame) answered.get(0)).isEndStream()).isFalse();
        assertThat(text(answered.get(1))).isEqualTo("data: hi\n\n");
        assertThat(((Http2HeadersFrame) answered.get(2)).headers().get("x-tokens")).hasToString("3");
        assertThat(((Http2HeadersFrame) answered.get(2)).isEndStream()).isTrue();
        answered.forEach(ReferenceCountUtil::release);
    }

    @Test
    void anHttp2RequestThatAnnouncesTrailersReachesAnHttp11ModelChunkedWithThemEvenWithALength() {
        open(true, false);
        downstream.writeInbound(new DefaultHttp2HeadersFrame(post("/v2/models/m/infer").set("content-length", "5")
                .set("trailer", "x-checksum"), false), new DefaultHttp2DataFrame(ascii("hello"), false),
                new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().set("x-checksum", "5d41"), true));
        EmbeddedChannel wire = new EmbeddedChannel(new HttpRequestEncoder());
        wire.writeOutbound(drain(upstream).toArray());
        StringBuilder bytes = new StringBuilder();
        for (Object written : TestDownstreams.outbound(wire)) {
            bytes.append(((ByteBuf) written).toString(StandardCharsets.US_ASCII));
            ReferenceCountUtil.release(written);
        }
        assertThat(bytes.toString()).doesNotContainIgnoringCase("content-length")
                .containsIgnoringCase("transfer-encoding: chunked\r\n").containsIgnoringCase("trailer: x-checksum\r\n")
                .endsWith("\r\n5\r\nhello\r\n0\r\nx-checksum: 5d41\r\n\r\n");
        wire.finishAndReleaseAll();
    }

    @Test
    void anHttp11RequestToAnHttp2HopBecomesFramesAndTheFramesComeBackAsHttp11() {
        open(false, true);
        downstream.writeInbound(ascii("GET /v1/models HTTP/1.1\r\nHost: model.models\r\n\r\n"));
        List<Object> sent = drain(upstream);
        assertThat(sent).hasSize(1);
        Http2HeadersFrame head = (Http2HeadersFrame) sent.get(0);
        assertThat(head.isEndStream()).as("a bodiless request ends its stream with its HEADERS").isTrue();
        assertThat(head.headers().path()).hasToString("/v1/models");
        assertThat(head.headers().authority()).hasToString("model.models");
        assertThat(head.headers().scheme()).hasToString("http");

        upstream.writeInbound(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("200"), false),
                new DefaultHttp2DataFrame(ascii("[]"), true));
        ByteBuf wire = Unpooled.buffer();
        drain(downstream).forEach(part -> {
            wire.writeBytes((ByteBuf) part);
            ReferenceCountUtil.release(part);
        });
        String answer = wire.toString(StandardCharsets.US_ASCII);
        wire.release();
        assertThat(answer).startsWith("HTTP/1.1 200 OK\r\n").contains("transfer-encoding: chunked").endsWith("2\r\n[]\r\n0\r\n\r\n");
    }

    /** A filter that gives a body to a request that had none: HEADERS that ended the stream no longer do. */
    @Test
    void bytesAFilterGivesARequestThatEndedWithItsHeadersFollowThemAsData() {
        HttpFilter appender = new HttpFilter() {
            @Override
            public String name() {
                return "appender";
            }

            @Override
            public int hooks() {
                return REQUEST_BODY;
            }

            @Override
            public FilterDecision onRequestBody(ExchangeContext exchange, ByteBuf chunk, boolean last) {
                return new FilterDecision.ReplaceChunk(ascii("{}"));
            }
        };
        open(true, true, appender);
        downstream.writeInbound(new DefaultHttp2HeadersFrame(post("/v1/embeddings"), true));
        downstream.runPendingTasks();
        List<Object> sent = drain(upstream);
        assertThat(sent).hasSize(2);
        assertThat(((Http2HeadersFrame) sent.get(0)).isEndStream()).isFalse();
        assertThat(((Http2DataFrame) sent.get(1)).isEndStream()).isTrue();
        assertThat(text(sent.get(1))).isEqualTo("{}");
        sent.forEach(ReferenceCountUtil::release);
    }

    @Test
    void aHostThatContradictsTheAuthorityIsAnsweredAndNeverForwarded() {
        open(true, true);
        downstream.writeInbound(new DefaultHttp2HeadersFrame(post("/v1/chat").add("host", "other.models"), true));
        downstream.runPendingTasks();
        assertThat(drain(upstream)).isEmpty();
        List<Object> answered = drain(downstream);
        Http2Headers head = ((Http2HeadersFrame) answered.get(0)).headers();
        assertThat(head.status()).hasToString("400");
        assertThat(head.get(ErrorResponses.REASON_HEADER)).hasToString("malformed-request");
        assertThat(text(answered.get(1))).contains("differs from :authority");
        answered.forEach(ReferenceCountUtil::release);
    }
}
