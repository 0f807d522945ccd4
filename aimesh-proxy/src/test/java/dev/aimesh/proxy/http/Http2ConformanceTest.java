package dev.aimesh.proxy.http;

import static dev.aimesh.proxy.http.RawHttp2.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import io.netty.buffer.Unpooled;
import io.netty.channel.DefaultChannelId;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import org.junit.jupiter.api.AfterEach;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import dev.aimesh.core.authz.Authorizer;
import dev.aimesh.proxy.filter.ChainStep;
import dev.aimesh.proxy.filter.FilterChain;
import dev.aimesh.proxy.filter.FilterDecision;
import dev.aimesh.proxy.filter.Route;
import dev.aimesh.proxy.filter.TestExchanges;
import dev.aimesh.proxy.filter.common.SecurityEventSink;
import dev.aimesh.proxy.net.TrafficCounters;
import dev.aimesh.proxy.snapshot.SnapshotHolder;

/**
 * The HTTP/2 server side against the h2spec cases it failed (RFC 9113 sections in the names): every
 * malformed or misplaced frame gets the error the RFC requires, not CANCEL, and nothing malformed or reset
 * reaches the router or holds an upstream lease.
 */
class Http2ConformanceTest {
    private final AtomicInteger routed = new AtomicInteger();
    private final List<Promise<UpstreamLease>> leases = new ArrayList<>();
    private EmbeddedChannel channel;
    private RawHttp2 client;
    /** What the router does with a request: refuse it with 403 at once, or forward it to an upstream that never answers. */
    private boolean forward;

    private final UpstreamConnector silentUpstream = new UpstreamConnector() {
        @Override
        public Future<UpstreamLease> acquire(EventLoop loop) {
            Promise<UpstreamLease> p = loop.newPromise();
            leases.add(p);
            return p;
        }

        @Override
        public String describe() {
            return "a silent upstream";
        }

        @Override
        public TrafficCounters counters() {
            return new TrafficCounters();
        }
    };

    @BeforeEach
    void startServer() {
        channel = serverConnection();
        ServerPipelines.http2(channel.pipeline(), source((exchange, head) -> {
            routed.incrementAndGet();
            return forward ? new ChainStep.Forward(silentUpstream) : new FilterDecision.Respond(403, "denied", "denied");
        }), ProxyLimits.DEFAULTS);
        client = new RawHttp2(channel).start();
        client.frame(SETTINGS, 0x1, 0, new byte[0]); // ACK of the server's SETTINGS
        client.received();
    }

    /** Exchanges whose chain is only {@code route}. */
    static SnapshotHolder.Source source(Route route) {
        FilterChain chain = new FilterChain(List.of(), route, SecurityEventSink.NONE);
        return TestExchanges.source(TestExchanges.snapshot(TestExchanges.policy("1", Authorizer.allowAll()), chain));
    }

    /** A connection as a listener accepts it (Netty's HTTP/2 multiplexer looks at the parent to tell a server). */
    static EmbeddedChannel serverConnection() {
        return new EmbeddedChannel(new NioServerSocketChannel(), DefaultChannelId.newInstance(), true, false);
    }

    @AfterEach
    void release() {
        channel.finishAndReleaseAll();
    }

    private List<Frame> answer() {
        List<Frame> frames = client.received();
        frames.removeIf(f -> f.type() == SETTINGS || f.type() == WINDOW_UPDATE);
        return frames;
    }

    private static Frame reset(int stream, int code) {
        return new Frame(RST_STREAM, 0, stream, rstStream(code));
    }

    private static String describe(List<Frame> frames) {
        return frames.toString();
    }

    @Test
    void theServerGivesEachStreamAQuarterMegabyteAndTheConnectionFourMegabytes() {
        EmbeddedChannel fresh = serverConnection();
        try {
            ServerPipelines.http2(fresh.pipeline(), source((exchange, head) -> new FilterDecision.Respond(403, "denied", "denied")),
                    ProxyLimits.DEFAULTS);
            List<Frame> frames = new RawHttp2(fresh).start().received();

            Frame settings = frames.stream().filter(f -> f.type() == SETTINGS && f.flags() == 0).findFirst().orElseThrow();
            assertThat(setting(settings, 0x4)).as("SETTINGS_INITIAL_WINDOW_SIZE").isEqualTo(256 * 1024);
            int opened = frames.stream().filter(f -> f.type() == WINDOW_UPDATE && f.stream() == 0)
                    .mapToInt(f -> java.nio.ByteBuffer.wrap(f.payload()).getInt()).sum();
            assertThat(65_535 + opened).as("the connection's window: the 64 KiB every connection starts with, and the updates")
                    .isEqualTo(4 * 1024 * 1024);
        } finally {
            fresh.finishAndReleaseAll();
        }
    }

    /** The value of one setting in a SETTINGS frame (RFC 9113 6.5.1: 16-bit id, 32-bit value). */
    private static long setting(Frame settings, int id) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(settings.payload());
        while (b.remaining() >= 6) {
            int key = b.getShort() & 0xffff;
            long value = b.getInt() & 0xffffffffL;
            if (key == id) {
                return value;
            }
        }
        return -1;
    }

    @Test
    void aWellFormedRequestIsRoutedAndAnswered() {
        client.get(1, END_HEADERS | END_STREAM);

        List<Frame> frames = answer();
        assertThat(frames).as(describe(frames)).first().extracting(Frame::type, Frame::stream).containsExactly(HEADERS, 1);
        assertThat(routed).hasValue(1);
    }

    @Test
    void aClientWaitingFor100ContinueGetsTheRefusalAloneAndEndsTheStreamItself() {
        client.get(1, END_HEADERS, "expect", "100-continue", "content-length", "5");

        List<Frame> frames = answer();
        assertThat(frames).as("no reset beside the answer: curl drops an answer read with one").extracting(Frame::type)
                .containsExactly(HEADERS, DATA);
        assertThat(frames.get(1).flags() & END_STREAM).isEqualTo(END_STREAM);
        client.frame(RST_STREAM, 0, 1, rstStream(CANCEL)); // the client will send no body: it ends the stream

        channel.advanceTimeBy(ExchangeHandler.EXPECT_REFUSAL_LINGER.toSeconds() + 1, java.util.concurrent.TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertThat(answer()).as("the stream closed cleanly: nothing more to say").isEmpty();
    }

    @Test
    void aClientWaitingFor100ContinueThatNeverEndsTheStreamIsResetWithNoErrorAfterALinger() {
        client.get(1, END_HEADERS, "expect", "100-continue", "content-length", "5");
        assertThat(answer()).extracting(Frame::type).containsExactly(HEADERS, DATA);

        channel.advanceTimeBy(ExchangeHandler.EXPECT_REFUSAL_LINGER.toSeconds() + 1, java.util.concurrent.TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        channel.runPendingTasks();
        List<Frame> frames = answer();
        assertThat(frames).as(describe(frames)).extracting(Frame::type).containsExactly(RST_STREAM);
        assertThat(frames.get(0).errorCode()).isEqualTo(NO_ERROR);
    }

    @Test
    void section8_1_anAnswerBeforeTheRequestEndsIsFollowedByNoErrorNotCancel() {
        client.get(1, END_HEADERS); // the body would follow; the router refuses at the headers

        List<Frame> frames = answer();
        assertThat(frames).as(describe(frames)).extracting(Frame::type).containsExactly(HEADERS, DATA, RST_STREAM);
        assertThat(frames.get(2).errorCode()).isEqualTo(NO_ERROR);
    }

    static java.util.stream.Stream<Arguments> malformedHeaders() {
        return java.util.stream.Stream.<String[]>of(
                new String[] {":scheme", "https", ":path", "/", ":authority", "model"}, // no :method
                new String[] {":method", "GET", ":scheme", "https", ":authority", "model"}, // no :path
                new String[] {":method", "GET", ":path", "/", ":authority", "model"}, // no :scheme
                new String[] {":method", "GET", ":scheme", "https", ":path", "", ":authority", "model"}, // empty :path
                new String[] {":method", "GET", ":scheme", "https", ":path", "/", ":path", "/admin"}, // two :path
                new String[] {":method", "GET", ":method", "POST", ":scheme", "https", ":path", "/"}, // two :method
                new String[] {":method", "GET", ":scheme", "https", ":path", "/", ":foo", "bar"}, // unknown pseudo-header
                new String[] {":method", "GET", ":scheme", "https", ":path", "/", ":status", "200"}, // a response's
                new String[] {":method", "GET", ":scheme", "https", ":path", "/", "connection", "keep-alive"},
                new String[] {":method", "GET", ":scheme", "https", ":path", "/", "transfer-encoding", "chunked"},
                new String[] {":method", "GET", ":scheme", "https", ":path", "/", "te", "gzip"},
                new String[] {":method", "GET", ":scheme", "https", ":path", "/", "X-Upper", "1"},
                new String[] {":method", "G E T", ":scheme", "https", ":path", "/"}) // not a method token
                .map(h -> Arguments.of((Object) h));
    }

    @ParameterizedTest
    @MethodSource("malformedHeaders")
    void section8_1_2_aMalformedRequestIsResetWithProtocolErrorAndNeverRouted(String[] headers) {
        client.headers(1, END_HEADERS | END_STREAM, headers);

        List<Frame> frames = answer();
        assertThat(frames).as(describe(frames)).containsExactly(reset(1, PROTOCOL_ERROR));
        assertThat(routed).hasValue(0);
        client.get(3, END_HEADERS | END_STREAM); // the connection goes on
        assertThat(answer()).first().extracting(Frame::type, Frame::stream).containsExactly(HEADERS, 3);
    }

    @Test
    void section8_1_2_trailersWithAPseudoHeaderAreMalformed() {
        forward = true;
        client.get(1, END_HEADERS);
        client.headers(1, END_HEADERS | END_STREAM, ":path", "/admin");

        List<Frame> frames = answer();
        assertThat(frames).as(describe(frames)).containsExactly(reset(1, PROTOCOL_ERROR));
        assertThat(leases).allMatch(Future::isCancelled);
    }

    @Test
    void anUnknownMethodIsRefusedAsOnHttp1() {
        client.headers(1, END_HEADERS | END_STREAM, ":method", "FROBNICATE", ":scheme", "https", ":path", "/");

        List<Frame> frames = answer();
        assertThat(frames).as(describe(frames)).first().extracting(Frame::type).isEqualTo(HEADERS);
        assertThat(routed).hasValue(0);
    }

    @Test
    void section5_1_dataOnAHalfClosedStreamIsStreamClosed() {
        forward = true;
        client.get(1, END_HEADERS | END_STREAM);
        client.frame(DATA, 0, 1, "late".getBytes(StandardCharsets.US_ASCII));

        List<Frame> frames = answer();
        assertThat(frames).as(describe(frames)).containsExactly(reset(1, STREAM_CLOSED));
    }

    @Test
    void section5_1_headersOnAHalfClosedStreamIsAStreamErrorNotCancel() {
        forward = true;
        client.get(1, END_HEADERS | END_STREAM);
        client.headers(1, END_HEADERS | END_STREAM, "x-late", "1");

        List<Frame> frames = answer();
        // RFC 9113 5.1 wants STREAM_CLOSED; Netty's decoder counts the first HEADERS (with END_STREAM) as headers
        // and trailers, and resets a second one with PROTOCOL_ERROR before it looks at the stream's state
        assertThat(frames).as(describe(frames)).containsExactly(reset(1, PROTOCOL_ERROR));
    }

    @Test
    void section8_1_2_aPseudoHeaderAfterARegularOneIsMalformed() {
        client.headers(1, END_HEADERS | END_STREAM, ":method", "GET", ":scheme", "https", "x-a", "1", ":path", "/");

        assertThat(answer()).containsExactly(reset(1, PROTOCOL_ERROR));
    }

    @Test
    void aResetStreamCancelsItsPendingLease() {
        forward = true;
        client.get(1, END_HEADERS);
        assertThat(leases).hasSize(1);

        client.frame(RST_STREAM, 0, 1, rstStream(CANCEL));

        assertThat(leases.get(0).isCancelled()).as("the reset stream no longer waits for an upstream").isTrue();
        assertThat(answer()).as("nothing is sent on a stream the client reset").isEmpty();
    }

    @Test
    void section5_1_dataAfterTheClientsResetIsStreamClosedOrIgnored() {
        forward = true;
        client.get(1, END_HEADERS);
        client.frame(RST_STREAM, 0, 1, rstStream(CANCEL));
        client.frame(DATA, 0, 1, "late".getBytes(StandardCharsets.US_ASCII));

        List<Frame> frames = answer();
        assertThat(frames).as(describe(frames)).noneMatch(f -> f.type() == RST_STREAM && f.errorCode() == CANCEL);
        assertThat(frames).as(describe(frames)).allMatch(f -> f.type() == RST_STREAM && f.errorCode() == STREAM_CLOSED
                || f.type() == GOAWAY && f.errorCode() == STREAM_CLOSED);
    }

    @Test
    void section5_1_1_anEvenStreamIdIsAConnectionError() {
        client.get(2, END_HEADERS | END_STREAM);

        List<Frame> frames = answer();
        assertThat(frames).as(describe(frames)).anyMatch(f -> f.type() == GOAWAY && f.errorCode() == PROTOCOL_ERROR);
        assertThat(routed).hasValue(0);
    }

    @Test
    void section5_1_1_aStreamIdBelowOneUsedBeforeIsAConnectionError() {
        client.get(5, END_HEADERS | END_STREAM);
        answer();
        client.get(3, END_HEADERS | END_STREAM);

        List<Frame> frames = answer();
        assertThat(frames).as(describe(frames)).anyMatch(f -> f.type() == GOAWAY && f.errorCode() == PROTOCOL_ERROR);
        assertThat(routed).hasValue(1);
    }

    @Test
    void section5_1_headersOnAStreamThatWasUsedAndClosedIsOnlyAStreamError() {
        client.get(1, END_HEADERS | END_STREAM);
        client.get(3, END_HEADERS | END_STREAM);
        answer();
        client.get(1, END_HEADERS | END_STREAM);

        List<Frame> frames = answer();
        assertThat(frames).as(describe(frames)).containsExactly(reset(1, STREAM_CLOSED));
        client.get(5, END_HEADERS | END_STREAM); // the connection goes on
        assertThat(answer()).first().extracting(Frame::type, Frame::stream).containsExactly(HEADERS, 5);
    }

    @Test
    void section5_1_dataOnASkippedStreamIdIsAConnectionError() {
        client.get(5, END_HEADERS | END_STREAM);
        answer();
        client.frame(DATA, END_STREAM, 3, "x".getBytes(StandardCharsets.US_ASCII));

        List<Frame> frames = answer();
        assertThat(frames).as(describe(frames)).anyMatch(f -> f.type() == GOAWAY && f.errorCode() == PROTOCOL_ERROR);
    }

    @Test
    void section3_5_aBadPrefaceIsAConnectionError() {
        EmbeddedChannel bad = serverConnection();
        ServerPipelines.http2(bad.pipeline(), source((exchange, head) -> {
            routed.incrementAndGet();
            return new FilterDecision.Respond(403, "denied", "denied");
        }), ProxyLimits.DEFAULTS);
        RawHttp2 raw = new RawHttp2(bad);
        raw.send(Unpooled.copiedBuffer("PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n", StandardCharsets.US_ASCII));

        List<Frame> frames = raw.received();
        assertThat(frames).as(describe(frames)).anyMatch(f -> f.type() == GOAWAY && f.errorCode() == PROTOCOL_ERROR);
        assertThat(bad.isOpen()).isFalse();
        bad.finishAndReleaseAll();
    }
}
