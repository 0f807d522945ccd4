package dev.aimesh.bench.sidebyside;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The streaming client reads events however the proxies re-chunk them. */
class SseClientTest {
    private static ByteArrayInputStream bytes(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void eventsSplitAndJoinedAcrossChunks() throws IOException {
        String events = "data: 0 111 xxxxxxxxxx\n\ndata: 1 222 xxxxx\n\ndata: 2 333 \n\n";
        // Chunk boundaries inside an event and between two.
        String body = "7\r\n" + events.substring(0, 7) + "\r\n" + Integer.toHexString(events.length() - 20) + "\r\n"
                + events.substring(7, events.length() - 13) + "\r\n" + "d\r\n" + events.substring(events.length() - 13) + "\r\n0\r\n\r\n";
        var in = SseClient.body(bytes("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n" + body));
        SseClient.EventReader reader = new SseClient.EventReader(in);
        assertThat(reader.next()).isEqualTo(111);
        assertThat(reader.next()).isEqualTo(222);
        assertThat(reader.next()).isEqualTo(333);
        assertThatThrownBy(reader::next).hasMessageContaining("ended inside an event");
    }

    @Test
    void anUnchunkedStreamAndARefusal() throws IOException {
        var in = SseClient.body(bytes("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\ndata: 7 42 pad\n\n"));
        assertThat(new SseClient.EventReader(in).next()).isEqualTo(42);
        assertThatThrownBy(() -> SseClient.body(bytes("HTTP/1.1 403 Forbidden\r\n\r\n"))).hasMessageContaining("403");
    }
}
