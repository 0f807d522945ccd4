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
}
