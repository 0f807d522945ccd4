package dev.aimesh.core.ai;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import dev.aimesh.core.json.JsonStrings;

/**
 * Server-sent events cut out of a byte stream that arrives in pieces of any size: each event's data (its
 * {@code data:} lines joined with newlines) is handed on once its blank line has come, with LF, CRLF or CR line
 * ends. At most {@code maxEventBytes} of an event are kept; a longer one is handed on as {@link Sink#tooLarge}.
 */
public final class SseEvents {
    /** What the events are handed to. */
    public interface Sink {
        /**
         * One event's data, {@code data[from, to)}, valid during the call only (empty for an event without data, such
         * as a keep-alive comment); {@code end} is where the event ended in the bytes fed: past its blank line (past
         * the LF of a CRLF that came in the same piece, else past the CR).
         */
        void data(byte[] data, int from, int to, int end);

        /** An event longer than the cap, of {@code bytes} bytes (its data is not kept), that ended at {@code end}. */
        void tooLarge(long bytes, int end);
    }

    private final int maxEventBytes;
    private byte[] pending = new byte[256];
    private int length;
    /** Bytes of an event over the cap not kept, until its end; -1 while its bytes are kept. */
    private long skipped = -1;
    private boolean atLineStart = true;
    private byte last;

    public SseEvents(int maxEventBytes) {
        this.maxEventBytes = maxEventBytes;
    }

    public void feed(byte[] bytes, int from, int to, Sink sink) {
        for (int i = from; i < to; i++) {
            byte c = bytes[i];
            boolean crlf = c == '\n' && last == '\r';
            last = c;
            if (crlf) {
                continue; // its CR ended the line
            }
            if (c == '\n' || c == '\r') {
                if (atLineStart) { // a blank line ends the event, if one has begun
                    // past the LF of a CRLF when it came in the same piece: nothing of the event is left behind
                    int end = c == '\r' && i + 1 < to && bytes[i + 1] == '\n' ? i + 2 : i + 1;
                    if (skipped >= 0) {
                        sink.tooLarge(skipped, end);
                    } else if (length > 0) {
                        emit(sink, end);
                    }
                    skipped = -1;
                    length = 0;
                } else {
                    keep(c == '\r' ? (byte) '\n' : c);
                }
                atLineStart = true;
                continue;
            }
            atLineStart = false;
            keep(c);
        }
    }

    private void keep(byte c) {
        if (skipped >= 0) {
            skipped++;
            return;
        }
        if (length == maxEventBytes) {
            skipped = length + 1L;
            length = 0;
            return;
        }
        if (length == pending.length) {
            pending = Arrays.copyOf(pending, Math.min(maxEventBytes, pending.length * 2));
        }
        pending[length++] = c;
    }

    /**
     * The error event the proxy ends a stream with: {@code event: error} and data as OpenAI-style clients read an
     * error ({@code {"error": {"type", "code", "message"}}}).
     */
    public static byte[] errorEvent(String code, String message) {
        String data = "{\"error\":{\"type\":\"" + code.replace('-', '_') + "\",\"code\":\"" + code + "\",\"message\":\""
                + new String(JsonStrings.encode(message.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8) + "\"}}";
        return ("event: error\ndata: " + data + "\n\n").getBytes(StandardCharsets.UTF_8);
    }

    /** The event's {@code data:} lines, joined; fields other than data, and comments, are skipped. */
    private void emit(Sink sink, int eventEnd) {
        byte[] out = new byte[length];
        int n = 0;
        int line = 0;
        boolean any = false; // a data line before this one
        while (line < length) {
            int end = line;
            while (end < length && pending[end] != '\n') {
                end++;
            }
            if (end - line >= 5 && pending[line] == 'd' && pending[line + 1] == 'a' && pending[line + 2] == 't'
                    && pending[line + 3] == 'a' && pending[line + 4] == ':') {
                int start = line + 5;
                if (start < end && pending[start] == ' ') {
                    start++;
                }
                if (any) {
                    out[n++] = '\n';
                }
                System.arraycopy(pending, start, out, n, end - start);
                n += end - start;
                any = true;
            }
            line = end + 1;
        }
        sink.data(out, 0, n, eventEnd); // an event without data (a comment, a keep-alive) too: it has ended
    }
}
