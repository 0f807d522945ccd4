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
import dev.aimesh.proxy.net.TrafficCounters;
import dev.aimesh.proxy.filter.ChainStep;
import dev.aimesh.proxy.filter.FilterDecision;
import dev.aimesh.proxy.snapshot.SnapshotHolder;

/**
 * The per-peer admission in the HTTP/2 and HTTP/1.1 server pipelines, on an {@link EmbeddedChannel}: a refused
 * stream is reset {@code REFUSED_STREAM} and never routed, a refused HTTP/1.1 request answered 503, and every
 * slot comes back however its stream ends, also when thousands are opened and reset in the same reads.
 */
class StreamAdmissionHandlersTest {
    private static final int LIMIT = 3;

    /** Slots held, shared by every connection of the test as one peer's would be. */
    private final AtomicInteger held = new AtomicInteger();
    private final AtomicInteger refusals = new AtomicInteger();
    private final AtomicInteger routed = new AtomicInteger();
    private final List<Promise<UpstreamLease>> leases = new ArrayList<>();
    private EmbeddedChannel channel;

    private final StreamAdmission admission = new StreamAdmission() {
        @Override
        public Optional<Slot> admit(String protocol) {
            if (held.get() >= LIMIT) {
                refusals.incrementAndGet();
                return Optional.empty();
            }
            return Optional.of(slot());
        }

        @Override
        public String refusal() {
            return "the peer holds " + LIMIT + " streams (maxStreamsPerPeer: " + LIMIT + ")";
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

    private final SnapshotHolder.Source router = Http2ConformanceTest.source((exchange, head) -> {
        routed.incrementAndGet();
        return head.path().equals("/deny") ? new FilterDecision.Respond(403, "denied", "denied")
                : new ChainStep.Forward(silent);
    });

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

    /** A slot of the test's peer, released once. */
    private StreamAdmission.Slot slot() {
        held.incrementAndGet();
        java.util.concurrent.atomic.AtomicBoolean released = new java.util.concurrent.atomic.AtomicBoolean();
        return () -> released.compareAndSet(false, true) && held.decrementAndGet() >= 0;
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
        assertThat(held.get()).isEqualTo(LIMIT);
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

        assertThat(held.get()).as("slots held once the reads are done").isZero();
        assertThat(leases).allSatisfy(p -> assertThat(p.isCancelled()).isTrue());
    }

    @Test
    void everyWayAnHttp2StreamEndsGivesItsSlotBack() {
        RawHttp2 client = http2();
        client.headers(1, END_HEADERS | END_STREAM, ":method", "GET", ":scheme", "https", ":path", "/deny", ":authority", "m");
        client.headers(3, END_HEADERS | END_STREAM, "x-no", "pseudo-headers"); // reset by the proxy: PROTOCOL_ERROR
        client.get(5, END_HEADERS); // its body never comes: then reset by the client
        client.received();
        assertThat(held.get()).isEqualTo(1);
        client.frame(RST_STREAM, 0, 5, rstStream(CANCEL));
        assertThat(held.get()).isZero();

        client.get(7, END_HEADERS | END_STREAM);
        client.get(9, END_HEADERS | END_STREAM);
        client.received();
        assertThat(held.get()).isEqualTo(2);
        leases.get(leases.size() - 1).setFailure(new java.io.IOException("connection refused")); // answered 503
        client.received();
        assertThat(held.get()).isEqualTo(1);
        channel.close(); // the connection goes with a stream open
        channel.runPendingTasks();
        assertThat(held.get()).isZero();
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
        for (int i = 0; i < LIMIT - 1; i++) {
            slot(); // held by the peer's other connections
        }
        http1();
        assertThat(writeHttp1("GET /deny HTTP/1.1\r\nHost: m\r\n\r\n")).startsWith("HTTP/1.1 403 ");
        assertThat(held.get()).as("an answered exchange holds nothing").isEqualTo(LIMIT - 1);
        channel.finishAndReleaseAll();

        http1();
        writeHttp1("GET /hold HTTP/1.1\r\nHost: m\r\n\r\n");
        assertThat(held.get()).isEqualTo(LIMIT);
        EmbeddedChannel holding = channel;

        http1();
        String refused = writeHttp1("GET /deny HTTP/1.1\r\nHost: m\r\n\r\n");
        assertThat(refused).startsWith("HTTP/1.1 503 ").contains("x-aimesh-reason: peer-stream-limit")
                .contains("connection: close").contains("maxStreamsPerPeer: " + LIMIT);
        assertThat(channel.isOpen()).isFalse();
        assertThat(routed).as("the refused request was never routed").hasValue(2);

        holding.close();
        holding.runPendingTasks();
        assertThat(held.get()).isEqualTo(LIMIT - 1);
        holding.finishAndReleaseAll();
    }
}
