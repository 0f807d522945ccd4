package dev.aimesh.demo;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes server-sent events to a chunked response body. Each event is flushed at once, which makes the JDK server
 * send it as its own chunk: the client sees every event when it is produced, not when the stream ends.
 */
final class ServerSentEvents {
    private final OutputStream out;

    ServerSentEvents(OutputStream out) {
        this.out = requireNonNull(out, "out");
    }

    /** One {@code data:} event holding {@code value} as one line of JSON. */
    void data(Object value) throws IOException {
        write("data: " + Json.string(value) + "\n\n");
    }

    /** The OpenAI end-of-stream marker, {@code data: [DONE]}. */
    void done() throws IOException {
        write("data: [DONE]\n\n");
    }

    private void write(String event) throws IOException {
        out.write(event.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }
}
