package dev.aimesh.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class StrictHttp1GuardTest {
    /** Collects what passes the guard and what it reports. */
    private static final class Sink extends ChannelInboundHandlerAdapter {
        final StringBuilder passed = new StringBuilder();
        final List<MalformedRequest> faults = new ArrayList<>();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf buf = (ByteBuf) msg;
            passed.append(buf.toString(StandardCharsets.ISO_8859_1));
            buf.release();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            faults.add((MalformedRequest) evt);
        }
    }

    private static Sink feed(String... parts) {
        Sink sink = new Sink();
        EmbeddedChannel channel = new EmbeddedChannel(new StrictHttp1Guard(ProxyLimits.DEFAULTS), sink);
        for (String part : parts) {
            channel.writeInbound(Unpooled.copiedBuffer(part, StandardCharsets.ISO_8859_1));
        }
        assertThat(channel.finishAndReleaseAll()).isFalse();
        return sink;
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "GET /v1/models HTTP/1.1\r\nHost: llm\r\n\r\n",
            "\r\nPOST /v1/chat HTTP/1.1\r\nHost: llm\r\nContent-Length: 5\r\n\r\nhelloGET / HTTP/1.0\r\n\r\n",
            "POST /x HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n5;name=\"q\\\"v\";n2=t\r\nhello\r\n0\r\nX-Trailer: 1\r\n\r\n"})
    void passesWellFormedStreamsUnchanged(String stream) {
        Sink sink = feed(stream);
        assertThat(sink.faults).isEmpty();
        assertThat(sink.passed.toString()).isEqualTo(stream);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            GET / HTTP/1.1\\nHost: x\\r\\n\\r\\n                                   | bare LF             | false
            GET  / HTTP/1.1\\r\\n\\r\\n                                            | single spaces       | false
            ANNOUNCE / HTTP/1.1\\r\\n\\r\\n                                        | unknown method      | false
            GET / HTTP/2.0\\r\\n\\r\\n                                             | unsupported version | false
            GET / HTTP/1.1\\r\\nHost : x\\r\\n\\r\\n                               | header name         | false
            GET / HTTP/1.1\\r\\nA: 1\\r\\n folded\\r\\n\\r\\n                      | obs-fold            | false
            GET / HTTP/1.1\\r\\nContent-Length: 1 2\\r\\n\\r\\n                    | not a number        | false
            GET / HTTP/1.1\\r\\nTransfer-Encoding: chunked, gzip\\r\\n\\r\\n       | end with chunked    | false
            POST / HTTP/1.1\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n5 \\r\\n     | after the chunk size| true
            POST / HTTP/1.1\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n1\\r\\nab    | not followed by CRLF| true
            POST / HTTP/1.1\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n1;a=\"b\\r\\n| chunk extensions    | true
            """)
    void reportsTheFirstFaultAndPassesNothingAfter(String escaped, String expected, boolean inBody) {
        String stream = escaped.strip().replace("\\r", "\r").replace("\\n", "\n").replace("\\\"", "\"");
        Sink sink = feed(stream, "GET /after HTTP/1.1\r\n\r\n");
        assertThat(sink.faults).singleElement().satisfies(f -> {
            assertThat(f.message()).contains(expected);
            assertThat(f.inBody()).isEqualTo(inBody);
        });
        assertThat(sink.passed.toString()).doesNotContain("/after");
    }

    @org.junit.jupiter.api.Test
    void theHeadLimitAppliesToEachRequestOfAKeepAliveConnection() {
        String request = "POST /v1/chat/completions HTTP/1.1\r\nHost: llm\r\nX-Pad: " + "p".repeat(400)
                + "\r\nContent-Length: 5\r\n\r\nhello";
        String[] requests = new String[200];
        java.util.Arrays.fill(requests, request); // far more than the 40 KiB head limit in total
        Sink sink = feed(requests);
        assertThat(sink.faults).isEmpty();
        assertThat(sink.passed.toString()).isEqualTo(String.join("", requests));
    }

    @org.junit.jupiter.api.Test
    void aLongRequestLineIs414AndALongHeadIs431() {
        assertThat(feed("GET /" + "a".repeat(9000) + " HTTP/1.1\r\n\r\n").faults).singleElement().satisfies(f -> {
            assertThat(f.status().code()).isEqualTo(414);
            assertThat(f.code()).isEqualTo("request-line-too-long");
        });
        assertThat(feed("GET / HTTP/1.1\r\nX-Big: " + "b".repeat(40_000) + "\r\n\r\n").faults).singleElement()
                .satisfies(f -> assertThat(f.status().code()).isEqualTo(431));
        String many = "GET / HTTP/1.1\r\n" + "X-Pad: 0123456789012345678901234567890123456789\r\n".repeat(1000) + "\r\n";
        assertThat(feed(many).faults).singleElement().satisfies(f -> {
            assertThat(f.status().code()).isEqualTo(431);
            assertThat(f.message()).contains("longer than 40960 bytes");
        });
    }

    private static EmbeddedChannel guarded(Sink sink) {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.freezeTime();
        channel.pipeline().addLast(new StrictHttp1Guard(ProxyLimits.builder().requestHeadersTimeout(java.time.Duration.ofSeconds(10)).build()),
                sink);
        return channel;
    }

    private static void write(EmbeddedChannel channel, String bytes) {
        channel.writeInbound(Unpooled.copiedBuffer(bytes, StandardCharsets.ISO_8859_1));
    }

    private static void after(EmbeddedChannel channel, long seconds) {
        channel.advanceTimeBy(seconds, java.util.concurrent.TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
    }

    @org.junit.jupiter.api.Test
    void aHeadNotCompleteWithinTheTimeoutIsReported408AndNothingAfterPasses() {
        Sink sink = new Sink();
        EmbeddedChannel channel = guarded(sink);
        write(channel, "GET / HTTP/1.1\r\nHost: x\r\n");
        after(channel, 9);
        write(channel, "X-Slow: 1\r\n"); // trickling bytes do not extend the deadline
        assertThat(sink.faults).isEmpty();
        after(channel, 1);
        assertThat(sink.faults).singleElement().satisfies(f -> {
            assertThat(f.status().code()).isEqualTo(408);
            assertThat(f.code()).isEqualTo("request-headers-timeout");
            assertThat(f.message()).contains("10000 ms");
        });
        write(channel, "\r\n");
        assertThat(sink.passed.toString()).doesNotEndWith("\r\n\r\n");
        channel.finishAndReleaseAll();
    }

    @org.junit.jupiter.api.Test
    void theTimeoutRunsPerHeadFromItsFirstByteAndNotWhileReadsAreHeldBack() {
        Sink sink = new Sink();
        EmbeddedChannel channel = guarded(sink);
        write(channel, "GET /1 HTTP/1.1\r\nHost: x\r\n\r\n");
        after(channel, 60); // idle between requests: the idle timeout's business
        write(channel, "GET /2 HTTP/1.1\r\n");
        after(channel, 9);
        write(channel, "Host: x\r\n\r\nGET /3 HTTP/1.1\r\n"); // /3 begins while /2's exchange holds reads back
        channel.config().setAutoRead(false);
        after(channel, 30);
        assertThat(sink.faults).isEmpty();
        channel.config().setAutoRead(true);
        after(channel, 9);
        assertThat(sink.faults).isEmpty();
        after(channel, 2);
        assertThat(sink.faults).singleElement().satisfies(f -> assertThat(f.status().code()).isEqualTo(408));
        channel.finishAndReleaseAll();
    }

    @org.junit.jupiter.api.Test
    void theFirstHeadIsDueFromTheStartOfTheConnection() {
        Sink sink = new Sink();
        EmbeddedChannel channel = guarded(sink);
        after(channel, 10);
        assertThat(sink.faults).singleElement().satisfies(f -> assertThat(f.status().code()).isEqualTo(408));
        channel.finishAndReleaseAll();
    }
}
