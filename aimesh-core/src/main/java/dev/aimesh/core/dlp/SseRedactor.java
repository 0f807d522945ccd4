package dev.aimesh.core.dlp;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import dev.aimesh.core.ai.SseEvents;
import dev.aimesh.core.json.JsonStrings;

/**
 * DLP for a server-sent event stream (a streamed chat completion): events are taken whole as their blank line
 * ends them; the text they stream — the {@code content} or {@code text} strings of a JSON event (OpenAI's
 * {@code choices[].delta.content}, Anthropic's {@code delta.text}), or the data of a plain one — goes through one
 * {@link StreamingRedactor}, so a card number split across events is still caught, and each event is written
 * again with the text released so far (held text goes out with a later event, or in one more event made from the
 * last before the stream ends). Other strings of an event are scanned on their own. A block ends the stream with
 * an {@code error} event that says why; nothing after it is sent. An event longer than the cap is reported
 * ({@link Release#overLimit()}): the caller decides to end the stream ({@link #refuse}) or pass the rest
 * unscanned ({@link #passUnscanned}). Not thread-safe: one per stream.
 */
public final class SseRedactor {
    private static final Set<String> TEXT_KEYS = Set.of("content", "text");
    private static final byte[] DATA = ascii("data:");
    private static final byte[] DONE = ascii("[DONE]");
    private final JsonRedactor json;
    private final StreamingRedactor text;
    private final int maxEventBytes;
    private byte[] pending = new byte[0];
    /** The last JSON event that streamed text, as sent: a final event with the held text is made from it. */
    private byte[] template;
    private boolean finished;
    private boolean unscanned;
    /** The text finding that blocks the stream, when the text redactor reported one during an event. */
    private Redactor.Finding textBlocked;
    private final List<Redactor.Finding> textFindings = new ArrayList<>();

    public SseRedactor(JsonRedactor json, int maxEventBytes) {
        this.json = json;
        this.text = new StreamingRedactor(json.text());
        this.maxEventBytes = maxEventBytes;
    }

    /**
     * What may go on now, the findings in it, the finding that ended the stream (the bytes then end with the error
     * event), and whether an event went over the cap (nothing of it was released).
     */
    public record Release(byte[] bytes, List<Redactor.Finding> findings, Optional<Redactor.Finding> blocked, boolean overLimit) {
        static final Release NOTHING = new Release(new byte[0], List.of(), Optional.empty(), false);
    }

    public Release feed(byte[] piece, int offset, int length) {
        if (finished) {
            return Release.NOTHING;
        }
        if (unscanned) {
            return new Release(Arrays.copyOfRange(piece, offset, offset + length), List.of(), Optional.empty(), false);
        }
        byte[] buffer = Arrays.copyOf(pending, pending.length + length);
        System.arraycopy(piece, offset, buffer, pending.length, length);
        ByteArrayOutputStream out = new ByteArrayOutputStream(buffer.length + 16);
        List<Redactor.Finding> findings = new ArrayList<>();
        int start = 0;
        int end;
        while ((end = eventEnd(buffer, start)) > 0) {
            Optional<Redactor.Finding> blocked = event(buffer, start, end, out, findings);
            if (blocked.isPresent()) {
                return new Release(out.toByteArray(), findings, blocked, false);
            }
            start = end;
        }
        pending = Arrays.copyOfRange(buffer, start, buffer.length);
        boolean over = pending.length > maxEventBytes;
        return new Release(out.toByteArray(), findings, Optional.empty(), over);
    }

    /** The stream ended: an unfinished event is taken as ended, and the text still held goes out in one more event. */
    public Release finish() {
        if (finished || unscanned) {
            byte[] rest = unscanned ? pending : new byte[0];
            pending = new byte[0];
            finished = true;
            return new Release(rest, List.of(), Optional.empty(), false);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<Redactor.Finding> findings = new ArrayList<>();
        if (pending.length > 0) {
            byte[] last = Arrays.copyOf(pending, pending.length + 2);
            last[last.length - 2] = '\n';
            last[last.length - 1] = '\n';
            pending = new byte[0];
            Optional<Redactor.Finding> blocked = event(last, 0, last.length, out, findings);
            if (blocked.isPresent()) {
                return new Release(out.toByteArray(), findings, blocked, false);
            }
        }
        Optional<Redactor.Finding> blocked = flush(out, findings);
        finished = true;
        return new Release(out.toByteArray(), findings, blocked, false);
    }

    /** After {@link Release#overLimit()}: ends the stream with an error event. */
    public byte[] refuse(String code, String message) {
        finished = true;
        pending = new byte[0];
        return SseEvents.errorEvent(code, message);
    }

    /** After {@link Release#overLimit()}: the held event and everything after it pass as they are. */
    public byte[] passUnscanned() {
        unscanned = true;
        byte[] rest = pending;
        pending = new byte[0];
        return rest;
    }

    /** One event {@code b[start, end)} (its blank line included) written to {@code out}; returns the block, if any. */
    private Optional<Redactor.Finding> event(byte[] b, int start, int end, ByteArrayOutputStream out,
            List<Redactor.Finding> findings) {
        ByteArrayOutputStream data = null;
        ByteArrayOutputStream other = new ByteArrayOutputStream();
        int line = start;
        while (line < end) {
            int eol = line;
            while (eol < end && b[eol] != '\n' && b[eol] != '\r') {
                eol++;
            }
            int next = eol < end && b[eol] == '\r' && eol + 1 < end && b[eol + 1] == '\n' ? eol + 2 : eol + 1;
            if (eol > line && ContentScanner.matches(b, line, eol, DATA)) {
                int from = line + DATA.length;
                if (from < eol && b[from] == ' ') {
                    from++;
                }
                if (data == null) {
                    data = new ByteArrayOutputStream();
                } else {
                    data.write('\n');
                }
                data.write(b, from, eol - from);
            } else if (eol > line) {
                other.write(b, line, eol - line);
                other.write('\n');
            }
            line = next;
        }
        if (data == null) {
            out.write(b, start, end - start); // a comment or a field without data: nothing to scan
            return Optional.empty();
        }
        byte[] payload = data.toByteArray();
        if (Arrays.equals(payload, DONE)) {
            Optional<Redactor.Finding> blocked = flush(out, findings);
            if (blocked.isEmpty()) {
                out.write(b, start, end - start);
                finished = true;
            }
            return blocked;
        }
        byte[] rewritten;
        Redactor.Finding blocked = null;
        if (payload.length > 0 && (payload[0] == '{' || payload[0] == '[')) {
            textFindings.clear();
            textBlocked = null;
            boolean[] streamed = new boolean[1];
            Redactor.Outcome outcome = json.apply(payload, 0, payload.length, (key, value) -> {
                if (key == null || !TEXT_KEYS.contains(key)) {
                    return null;
                }
                streamed[0] = true;
                return streamText(value);
            });
            findings.addAll(textFindings);
            findings.addAll(outcome.findings());
            if (outcome instanceof Redactor.Outcome.Blocked b2) {
                blocked = b2.first();
                rewritten = null;
            } else {
                rewritten = outcome instanceof Redactor.Outcome.Redacted r ? r.body() : payload;
                if (streamed[0]) {
                    template = rewritten;
                }
            }
            if (textBlocked != null && blocked == null) {
                blocked = textBlocked;
            }
        } else {
            StreamingRedactor.Release r = text.feed(payload, 0, payload.length);
            findings.addAll(r.findings());
            rewritten = r.bytes();
            blocked = r.blocked().orElse(null);
        }
        if (rewritten != null && blocked == null) {
            writeEvent(out, other.toByteArray(), rewritten);
        } else if (blocked != null) {
            if (rewritten != null && rewritten.length > 0) {
                writeEvent(out, other.toByteArray(), rewritten); // what came before the blocked value
            }
            out.writeBytes(SseEvents.errorEvent("dlp-blocked", "the response was stopped: it contained " + blocked.detector().key()
                    + " data"));
            finished = true;
            return Optional.of(blocked);
        }
        return Optional.empty();
    }

    /** A piece of the streamed text through the text redactor: what it releases now. */
    private byte[] streamText(byte[] value) {
        if (textBlocked != null) {
            return new byte[0];
        }
        StreamingRedactor.Release r = text.feed(value, 0, value.length);
        textFindings.addAll(r.findings());
        r.blocked().ifPresent(f -> textBlocked = f);
        return r.bytes();
    }

    /** The text still held, in one more event made from the last that streamed text (or a plain data event). */
    private Optional<Redactor.Finding> flush(ByteArrayOutputStream out, List<Redactor.Finding> findings) {
        StreamingRedactor.Release r = text.finish();
        findings.addAll(r.findings());
        if (r.bytes().length > 0) {
            byte[] payload = r.bytes();
            if (template != null) {
                boolean[] first = {true};
                Redactor.Outcome o = json.apply(template, 0, template.length, (key, value) -> {
                    if (key == null || !TEXT_KEYS.contains(key)) {
                        return null;
                    }
                    byte[] put = first[0] ? r.bytes() : new byte[0];
                    first[0] = false;
                    return put;
                });
                payload = o instanceof Redactor.Outcome.Redacted red ? red.body() : template;
            }
            writeEvent(out, new byte[0], payload);
        }
        if (r.blocked().isPresent()) {
            out.writeBytes(SseEvents.errorEvent("dlp-blocked", "the response was stopped: it contained "
                    + r.blocked().get().detector().key() + " data"));
            finished = true;
        }
        return r.blocked();
    }

    private static void writeEvent(ByteArrayOutputStream out, byte[] fields, byte[] payload) {
        out.writeBytes(fields);
        int line = 0;
        for (int k = 0; k <= payload.length; k++) {
            if (k == payload.length || payload[k] == '\n') {
                out.writeBytes(DATA);
                out.write(' ');
                out.write(payload, line, k - line);
                out.write('\n');
                line = k + 1;
            }
        }
        out.write('\n');
    }

    /** Where the event starting at {@code start} ends (after its blank line), or -1 when it has not ended yet. */
    static int eventEnd(byte[] b, int start) {
        boolean lineEmpty = true;
        for (int k = start; k < b.length; k++) {
            byte c = b[k];
            if (c == '\r' || c == '\n') {
                int next = c == '\r' && k + 1 < b.length && b[k + 1] == '\n' ? k + 2 : k + 1;
                if (c == '\r' && k + 1 == b.length) {
                    return -1; // a CR at the end: its LF may come with the next piece
                }
                if (lineEmpty && k > start) {
                    return next;
                }
                lineEmpty = true;
                k = next - 1;
            } else {
                lineEmpty = false;
            }
        }
        return -1;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
