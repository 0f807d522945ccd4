package dev.aimesh.proxy.http;

import static dev.aimesh.proxy.http.RawHttp2.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import dev.aimesh.core.http.StreamsPerPeer;
import dev.aimesh.core.identity.SpiffeId;
import dev.aimesh.proxy.net.TrafficCounters;

/**
 * The per-peer admission in the HTTP/2 and HTTP/1.1 server pipelines, on an {@link EmbeddedChannel}: a refused
 * stream is reset {@code REFUSED_STREAM} and never routed, a refused HTTP/1.1 request answered 503, and every
 * slot comes back however its stream ends, also when thousands are opened and reset in the same reads.
 */
class StreamAdmissionHandlersTest {
    private static final SpiffeId PEER = SpiffeId.parse("spiffe://example.org/ns/apps/sa/chat");
    private static final int LIMIT = 3;

    private final StreamsPerPeer streams = new StreamsPerPeer(LIMIT);
    private final AtomicInteger refusals = new AtomicInteger();
    private final AtomicInteger routed = new AtomicInteger();
    private final List<Promise<UpstreamLease>> leases = new ArrayList<>();
    private EmbeddedChannel channel;

    private final StreamAdmission admission = new StreamAdmission() {
        @Override
        public Optional<StreamsPerPeer.Slot> admit(String protocol) {
            Optional<StreamsPerPeer.Slot> slot = streams.tryAcquire(PEER);
            if (slot.isEmpty()) {
                refusals.incrementAndGet();
            }
            return slot;
        }

        @Override
        public String refusal() {
            return streams.refusal(PEER);
        }
    };

    private final UpstreamConnector silent = new UpstreamConnector() {
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

    private final RequestRouter router = (downstream, request) -> {
        routed.incrementAndGet();
        return request.uri().equals("/deny") ? new Routing.Refuse(HttpResponseStatus.FORBIDDEN, "denied", "denied")
                : new Routing.Forward(silent, request);
    };

    @AfterEach
    void release() {
        channel.finishAndReleaseAll();
    }

    private RawHttp2 http2() {
        channel = Http2ConformanceTest.serverConnection();
        ServerPipelines.http2(channel.pipeline(), router, ProxyLimits.DEFAULTS, Optional.of(admission));
        RawHttp2 client = new RawHttp2(channel).start();
        client.frame(SETTINGS, 0x1, 0, new byte[0]);
        client.received();
        return client;
    }

    private static long refusedStreams(List<Frame> frames) {
        return frames.stream().filter(f -> f.type() == RST_STREAM && f.errorCode() == REFUSED_STREAM).count();
    }

    @Test
    void http2StreamsPastTheLimitAreRefusedBeforeTheRouterSeesThem() {
        RawHttp2 client = http2();
        for (int id = 1; id <= 2 * (LIMIT + 2); id += 2) {
            client.get(id, END_HEADERS | END_STREAM);
        }

        List<Frame> frames = client.received();
        assertThat(refusedStreams(frames)).as(frames.toString()).isEqualTo(2);
        assertThat(routed).hasValue(LIMIT);
        assertThat(streams.held(PEER)).isEqualTo(LIMIT);
        assertThat(refusals).hasValue(2);
    }

    @Test
    void rapidResetInOneReadLeavesNoSlotHeld() {
        RawHttp2 client = http2();
        ByteBuf flood = Unpooled.buffer();
        for (int s = 0; s < 2000; s++) {
            int id = 2 * s + 1;
            byte[] block = RawHttp2.block(":method", "GET", ":scheme", "https", ":path", "/", ":authority", "model");
            flood.writeMedium(block.length).writeByte(HEADERS).writeByte(END_HEADERS | END_STREAM).writeInt(id).writeBytes(block);
            flood.writeMedium(4).writeByte(RST_STREAM).writeByte(0).writeInt(id).writeInt(CANCEL);
        }
        client.send(flood);
        client.received();

        assertThat(streams.held(PEER)).as("slots held once the reads are done").isZero();
        assertThat(streams.peers()).isZero();
        assertThat(leases).allSatisfy(p -> assertThat(p.isCancelled()).isTrue());
    }

    @Test
    void everyWayAnHttp2StreamEndsGivesItsSlotBack() {
        RawHttp2 client = http2();
        client.headers(1, END_HEADERS | END_STREAM, ":method", "GET", ":scheme", "https", ":path", "/deny", ":authority", "m");
        client.headers(3, END_HEADERS | END_STREAM, "x-no", "pseudo-headers"); // reset by the proxy: PROTOCOL_ERROR
        client.get(5, END_HEADERS); // its body never comes: then reset by the client
        client.received();
        assertThat(streams.held(PEER)).isEqualTo(1);
        client.frame(RST_STREAM, 0, 5, rstStream(CANCEL));
        assertThat(streams.held(PEER)).isZero();

        client.get(7, END_HEADERS | END_STREAM);
        client.get(9, END_HEADERS | END_STREAM);
        client.received();
        assertThat(streams.held(PEER)).isEqualTo(2);
        leases.get(leases.size() - 1).setFailure(new java.io.IOException("connection refused")); // answered 503
        client.received();
        assertThat(streams.held(PEER)).isEqualTo(1);
        channel.close(); // the connection goes with a stream open
        channel.runPendingTasks();
        assertThat(streams.held(PEER)).isZero();
        assertThat(streams.peers()).isZero();
    }

    private void http1() {
        channel = new EmbeddedChannel();
        ServerPipelines.http1(channel.pipeline(), router, ProxyLimits.DEFAULTS, Optional.of(admission));
    }

    private String writeHttp1(String request) {
        channel.writeInbound(Unpooled.copiedBuffer(request, StandardCharsets.US_ASCII));
        channel.runPendingTasks();
        StringBuilder out = new StringBuilder();
        ByteBuf b;
        while ((b = channel.readOutbound()) != null) {
            out.append(b.toString(StandardCharsets.UTF_8));
            b.release();
        }
        return out.toString();
    }

    @Test
    void anHttp1ExchangeHoldsOneSlotUntilItsAnswerAndARefusedOneGets503() {
        List<StreamsPerPeer.Slot> others = new ArrayList<>();
        for (int i = 0; i < LIMIT - 1; i++) {
            others.add(streams.tryAcquire(PEER).orElseThrow()); // held by the peer's other connections
        }
        http1();
        assertThat(writeHttp1("GET /deny HTTP/1.1\r\nHost: m\r\n\r\n")).startsWith("HTTP/1.1 403 ");
        assertThat(streams.held(PEER)).as("an answered exchange holds nothing").isEqualTo(LIMIT - 1);
        channel.finishAndReleaseAll();

        http1();
        writeHttp1("GET /hold HTTP/1.1\r\nHost: m\r\n\r\n");
        assertThat(streams.held(PEER)).isEqualTo(LIMIT);
        EmbeddedChannel holding = channel;

        http1();
        String refused = writeHttp1("GET /deny HTTP/1.1\r\nHost: m\r\n\r\n");
        assertThat(refused).startsWith("HTTP/1.1 503 ").contains("x-aimesh-reason: peer-stream-limit")
                .contains("connection: close").contains("maxStreamsPerPeer: " + LIMIT);
        assertThat(channel.isOpen()).isFalse();
        assertThat(routed).as("the refused request was never routed").hasValue(2);

        holding.close();
        holding.runPendingTasks();
        assertThat(streams.held(PEER)).isEqualTo(LIMIT - 1);
        holding.finishAndReleaseAll();
        others.forEach(StreamsPerPeer.Slot::release);
        assertThat(streams.peers()).isZero();
    }
}
