package dev.aimesh.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import dev.aimesh.core.authz.Authorizer;
import dev.aimesh.proxy.filter.TestExchanges;
import dev.aimesh.proxy.snapshot.SnapshotHolder;

/**
 * The exchange handler and its leased upstream channel: one {@link UpstreamRelay} for the channel's life, the
 * exchange holding the lease attached to it, nobody between exchanges; and the response timeout, kept on the
 * loop's {@link dev.aimesh.proxy.net.LoopDeadlines}.
 */
class UpstreamRelayTest {
    private static final Duration RESPONSE_TIMEOUT = Duration.ofSeconds(30);
    private final EmbeddedChannel upstream = new EmbeddedChannel();
    private final SnapshotHolder.Source source = TestExchanges.source(TestExchanges.snapshot(
            TestExchanges.policy("1", Authorizer.allowAll()), TestExchanges.chain(TestExchanges.upstream(upstream))));
    private final EmbeddedChannel downstream = new EmbeddedChannel(new HttpServerCodec(),
            new ExchangeHandler(source, ProxyLimits.builder().responseTimeout(RESPONSE_TIMEOUT).build(), false));

    @AfterEach
    void close() {
        downstream.finishAndReleaseAll();
        upstream.finishAndReleaseAll();
    }

    private void request(String path) {
        downstream.writeInbound(Unpooled.copiedBuffer("GET " + path + " HTTP/1.1\r\nHost: model\r\n\r\n", StandardCharsets.US_ASCII));
        Object sent;
        while ((sent = upstream.readOutbound()) != null) {
            ReferenceCountUtil.release(sent);
        }
    }

    private static DefaultFullHttpResponse ok(String body) {
        DefaultFullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                Unpooled.copiedBuffer(body, StandardCharsets.US_ASCII));
        response.headers().setInt("content-length", body.length());
        return response;
    }

    private String answered() {
        StringBuilder text = new StringBuilder();
        ByteBuf out;
        while ((out = downstream.readOutbound()) != null) {
            text.append(out.toString(StandardCharsets.US_ASCII));
            out.release();
        }
        return text.toString();
    }

    @Test
    void oneRelayServesEveryExchangeOnAReusedUpstreamChannel() {
        request("/first");
        upstream.writeInbound(ok("one"));
        assertThat(answered()).startsWith("HTTP/1.1 200").endsWith("one");

        request("/second");
        upstream.writeInbound(ok("two"));
        assertThat(answered()).startsWith("HTTP/1.1 200").endsWith("two");
        assertThat(upstream.pipeline().toMap().values()).filteredOn(h -> h instanceof UpstreamRelay).hasSize(1);
    }

    @Test
    void anUpstreamChannelThePreviousExchangeLeftPausedIsReadByTheNext() {
        request("/first");
        upstream.writeInbound(ok("one"));
        answered();
        upstream.config().setAutoRead(false); // paused for a slow client when the answer ended

        request("/second");

        assertThat(upstream.config().isAutoRead()).as("or the second answer is never read: the client hangs").isTrue();
    }

    @Test
    void aConnectionThatDoesNotStayOpenClosesOnlyOnceItsAnswerIsWritten() {
        // In front of the codec: holds each write unfinished, as a socket does while a slow client has not read.
        List<ChannelPromise> unwritten = new ArrayList<>();
        EmbeddedChannel slowClient = new EmbeddedChannel(new ChannelOutboundHandlerAdapter() {
            @Override
            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                ReferenceCountUtil.release(msg);
                unwritten.add(promise);
            }
        }, new HttpServerCodec(), new ExchangeHandler(source, ProxyLimits.DEFAULTS, false));
        try {
            slowClient.writeInbound(Unpooled.copiedBuffer("GET /a HTTP/1.1\r\nHost: model\r\nConnection: close\r\n\r\n",
                    StandardCharsets.US_ASCII));
            upstream.writeInbound(ok("the whole answer"));

            assertThat(slowClient.isOpen()).as("open while the answer's end is still being written").isTrue();
            unwritten.forEach(ChannelPromise::setSuccess);
            slowClient.runPendingTasks();
            assertThat(slowClient.isOpen()).as("closed once it is written").isFalse();
        } finally {
            slowClient.finishAndReleaseAll();
        }
    }

    @Test
    void whatTheUpstreamSendsBetweenExchangesReachesNoClient() {
        request("/first");
        upstream.writeInbound(ok("one"));
        answered();

        DefaultFullHttpResponse stray = ok("stray");
        upstream.writeInbound(stray);

        assertThat(answered()).isEmpty();
        assertThat(stray.refCnt()).as("released").isZero();
    }

    @Test
    void anUpstreamThatDoesNotAnswerInTimeGets504AndItsLateAnswerIsDropped() {
        downstream.freezeTime(); // the loop's clock moves only when the test moves it
        request("/slow");
        downstream.advanceTimeBy(RESPONSE_TIMEOUT.toMillis() - 1, TimeUnit.MILLISECONDS);
        downstream.runScheduledPendingTasks();
        assertThat(answered()).isEmpty();

        downstream.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        downstream.runScheduledPendingTasks();
        assertThat(answered()).startsWith("HTTP/1.1 504").contains("x-aimesh-reason: upstream-timeout");

        DefaultFullHttpResponse late = ok("late");
        upstream.writeInbound(late);
        assertThat(answered()).isEmpty();
        assertThat(late.refCnt()).isZero();
    }

    @Test
    void anAnswerInTimeCancelsTheTimeout() {
        request("/quick");
        upstream.writeInbound(ok("quick"));
        assertThat(answered()).startsWith("HTTP/1.1 200");

        downstream.advanceTimeBy(RESPONSE_TIMEOUT.toMillis() * 2, TimeUnit.MILLISECONDS);
        downstream.runScheduledPendingTasks();
        assertThat(answered()).as("no 504 after a 200").isEmpty();
    }
}
