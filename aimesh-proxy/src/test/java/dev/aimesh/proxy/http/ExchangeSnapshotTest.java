package dev.aimesh.proxy.http;

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
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import dev.aimesh.core.authz.Authorizer;
import dev.aimesh.proxy.filter.ExchangeContext;
import dev.aimesh.proxy.filter.ExchangeOutcome;
import dev.aimesh.proxy.filter.FilterChain;
import dev.aimesh.proxy.filter.FilterDecision;
import dev.aimesh.proxy.filter.HttpFilter;
import dev.aimesh.proxy.filter.RequestHead;
import dev.aimesh.proxy.filter.ResponseHead;
import dev.aimesh.proxy.filter.TestExchanges;
import dev.aimesh.proxy.snapshot.ProxySnapshot;
import dev.aimesh.proxy.snapshot.SnapshotHolder;

/**
 * The exchange handler runs one chain per exchange, from the snapshot current when the request's head came: a
 * snapshot published mid-exchange decides only the exchanges that start after it.
 */
class ExchangeSnapshotTest {
    private final EmbeddedChannel upstream = new EmbeddedChannel();
    private final List<String> decisions = new ArrayList<>();
    private EmbeddedChannel downstream;

    @AfterEach
    void close() {
        if (downstream != null) {
            downstream.finishAndReleaseAll();
        }
        upstream.finishAndReleaseAll();
    }

    /** Holds the body, and records the version each of its hooks was decided with. */
    private final HttpFilter recorder = new HttpFilter() {
        @Override
        public String name() {
            return "recorder";
        }

        @Override
        public int hooks() {
            return REQUEST_BODY | REQUEST_TRAILERS | RESPONSE_HEADERS | RESPONSE_BODY | RESPONSE_TRAILERS | END;
        }

        private void saw(String hook, ExchangeContext exchange) {
            decisions.add(hook + "@" + exchange.snapshot().version());
        }

        @Override
        public FilterDecision onRequestHeaders(ExchangeContext exchange, RequestHead head) {
            saw("request-headers", exchange);
            return new FilterDecision.Hold(1024, FilterDecision.OverCap.CONTINUE_WITHOUT);
        }

        @Override
        public FilterDecision onHeldRequestBody(ExchangeContext exchange, RequestHead head, ByteBuf body, boolean complete) {
            saw("held-body", exchange);
            return FilterDecision.CONTINUE;
        }

        @Override
        public FilterDecision onRequestBody(ExchangeContext exchange, ByteBuf chunk, boolean last) {
            saw("request-body", exchange);
            return FilterDecision.CONTINUE;
        }

        @Override
        public FilterDecision onResponseHeaders(ExchangeContext exchange, ResponseHead head) {
            saw("response-headers", exchange);
            return FilterDecision.CONTINUE;
        }

        @Override
        public FilterDecision onResponseBody(ExchangeContext exchange, ByteBuf chunk, boolean last) {
            saw("response-body", exchange);
            return FilterDecision.CONTINUE;
        }

        @Override
        public void onEnd(ExchangeContext exchange, ExchangeOutcome outcome) {
            decisions.add("end@" + outcome.snapshotVersion() + ":" + outcome.status() + ":" + outcome.requestBytes() + "/"
                    + outcome.responseBytes());
        }
    };

    private ProxySnapshot version(String v) {
        FilterChain chain = TestExchanges.chain(TestExchanges.upstream(upstream), recorder);
        return TestExchanges.snapshot(TestExchanges.policy(v, Authorizer.allowAll()), chain);
    }

    private static void send(EmbeddedChannel channel, String text) {
        channel.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1));
    }

    private void respond(String body) {
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().setInt("content-length", body.length());
        upstream.writeInbound(head, new DefaultHttpContent(Unpooled.copiedBuffer(body, StandardCharsets.US_ASCII)),
                new DefaultLastHttpContent());
    }

    private List<Object> sentUpstream() {
        List<Object> sent = new ArrayList<>();
        Object msg;
        while ((msg = upstream.readOutbound()) != null) {
            sent.add(msg);
        }
        return sent;
    }

    @Test
    void aSnapshotSwappedMidExchangeDecidesOnlyTheExchangesAfterIt() {
        SnapshotHolder.Source source = TestExchanges.source(version("v1"));
        downstream = new EmbeddedChannel(new HttpServerCodec(), new ExchangeHandler(source, ProxyLimits.DEFAULTS, false));

        send(downstream, "POST /a HTTP/1.1\r\nHost: model\r\nContent-Length: 10\r\n\r\nhello");
        assertThat(decisions).containsExactly("request-headers@v1");
        source.holder().publish(version("v2")); // a push lands while the body is still coming
        send(downstream, "world");
        List<Object> sent = sentUpstream();
        assertThat(sent).as("the held body went on, untouched").anyMatch(m -> m instanceof HttpRequest);
        sent.forEach(ReferenceCountUtil::release);
        respond("ok");
        assertThat(decisions).containsExactly("request-headers@v1", "held-body@v1", "request-body@v1", "request-body@v1",
                "response-headers@v1", "response-body@v1", "response-body@v1", "end@v1:200:10/2");

        decisions.clear();
        send(downstream, "POST /b HTTP/1.1\r\nHost: model\r\nContent-Length: 0\r\n\r\n");
        assertThat(decisions).first().isEqualTo("request-headers@v2");
        sentUpstream().forEach(ReferenceCountUtil::release);
    }

    /** An HTTP/2 stream (its frames) goes through the same chain and keeps its snapshot too. */
    @Test
    void anHttp2StreamKeepsItsSnapshotToo() {
        SnapshotHolder.Source source = TestExchanges.source(version("v1"));
        downstream = new EmbeddedChannel(new ExchangeHandler(source, ProxyLimits.DEFAULTS, true));
        var head = new io.netty.handler.codec.http2.DefaultHttp2Headers().method("POST").path("/a").scheme("http")
                .authority("model");
        head.setInt("content-length", 4);
        downstream.writeInbound(new io.netty.handler.codec.http2.DefaultHttp2HeadersFrame(head, false),
                new io.netty.handler.codec.http2.DefaultHttp2DataFrame(Unpooled.copiedBuffer("ab", StandardCharsets.US_ASCII)));
        source.holder().publish(version("v2"));
        downstream.writeInbound(new io.netty.handler.codec.http2.DefaultHttp2DataFrame(
                Unpooled.copiedBuffer("cd", StandardCharsets.US_ASCII), true));
        downstream.runPendingTasks(); // HTTP/2 leases its upstream on the next turn of the loop
        sentUpstream().forEach(ReferenceCountUtil::release);
        respond("ok");
        assertThat(decisions).allMatch(d -> d.contains("@v1"), "decided with v1").last().asString().startsWith("end@v1:200:4/2");
        Object msg;
        while ((msg = downstream.readOutbound()) != null) {
            ReferenceCountUtil.release(msg);
        }
    }

    @Test
    void aBodyOverAHoldsCapGetsTheHoldsAnswerAndNothingReachesTheUpstream() {
        HttpFilter capped = new HttpFilter() {
            @Override
            public String name() {
                return "capped";
            }

            @Override
            public FilterDecision onRequestHeaders(ExchangeContext exchange, RequestHead head) {
                return new FilterDecision.Hold(4, new FilterDecision.OverCap.Refuse(
                        new FilterDecision.Respond(413, "capped-body-too-large", "over the 4 bytes this filter reads")));
            }
        };
        FilterChain chain = TestExchanges.chain(TestExchanges.upstream(upstream), capped);
        downstream = new EmbeddedChannel(new HttpServerCodec(), new ExchangeHandler(TestExchanges.source(
                TestExchanges.snapshot(TestExchanges.policy("v1", Authorizer.allowAll()), chain)), ProxyLimits.DEFAULTS, false));
        send(downstream, "POST /a HTTP/1.1\r\nHost: model\r\nContent-Length: 10\r\n\r\n0123456789");
        assertThat(sentUpstream()).isEmpty();
        ByteBuf out = Unpooled.buffer();
        Object msg;
        while ((msg = downstream.readOutbound()) != null) {
            out.writeBytes((ByteBuf) msg);
            ReferenceCountUtil.release(msg);
        }
        String answer = out.toString(StandardCharsets.ISO_8859_1);
        out.release();
        assertThat(answer).startsWith("HTTP/1.1 413").contains("x-aimesh-reason: capped-body-too-large");
    }

    @Test
    void aResponseHeadersHookCanAnswerInsteadOfTheUpstream() {
        HttpFilter refuser = new HttpFilter() {
            @Override
            public String name() {
                return "refuser";
            }

            @Override
            public int hooks() {
                return RESPONSE_HEADERS;
            }

            @Override
            public FilterDecision onResponseHeaders(ExchangeContext exchange, ResponseHead head) {
                return head.status() == 200 ? new FilterDecision.Respond(502, "response-refused", "not this answer")
                        : FilterDecision.CONTINUE;
            }
        };
        FilterChain chain = TestExchanges.chain(TestExchanges.upstream(upstream), refuser);
        downstream = new EmbeddedChannel(new HttpServerCodec(), new ExchangeHandler(TestExchanges.source(
                TestExchanges.snapshot(TestExchanges.policy("v1", Authorizer.allowAll()), chain)), ProxyLimits.DEFAULTS, false));
        send(downstream, "GET /a HTTP/1.1\r\nHost: model\r\n\r\n");
        sentUpstream().forEach(ReferenceCountUtil::release);
        respond("secret");
        ByteBuf out = Unpooled.buffer();
        Object msg;
        while ((msg = downstream.readOutbound()) != null) {
            out.writeBytes((ByteBuf) msg);
            ReferenceCountUtil.release(msg);
        }
        String answer = out.toString(StandardCharsets.ISO_8859_1);
        out.release();
        assertThat(answer).startsWith("HTTP/1.1 502").contains("x-aimesh-reason: response-refused").doesNotContain("secret");
    }
}
