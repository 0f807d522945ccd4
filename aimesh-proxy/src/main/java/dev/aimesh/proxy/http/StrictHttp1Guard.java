package dev.aimesh.proxy.http;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.AsciiString;
import io.netty.util.ByteProcessor;
import io.netty.util.ReferenceCountUtil;

/**
 * Sits before the HTTP/1.1 decoder and checks the request stream against RFC 9112's grammar, strictly,
 * as it flows: the request line (a known method, one space, a target of visible ASCII, one space,
 * HTTP/1.0 or HTTP/1.1, CRLF), header fields (token names, no space before the colon, no control bytes,
 * no obs-fold), unambiguous framing (Content-Length digits only and once; Transfer-Encoding ending in
 * chunked; not both), and chunked bodies (hex sizes, well-formed extensions, CRLF after every chunk,
 * trailers like headers). Bytes pass through unchanged; on the first fault it stops passing anything
 * and fires a {@link MalformedRequest}. Netty's decoder alone accepts bare LF, folded headers, spaces
 * in chunk lines and more, which a model server behind might read differently: the gaps smuggling uses.
 * Lines are checked as bytes in a reused buffer: nothing is allocated for a well-formed request but its method.
 * A request line over the limit is answered 414, a head over it 431, and a head not complete within the
 * request-headers timeout 408 (slowloris): the timer runs from the head's first byte (or the connection's start)
 * and only while the proxy reads, never while an exchange holds the reads back. One timer per connection at a time.
 */
public final class StrictHttp1Guard extends ChannelInboundHandlerAdapter {
    private static final byte[] CONTENT_LENGTH = "content-length".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TRANSFER_ENCODING = "transfer-encoding".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HTTP_11 = "HTTP/1.1".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HTTP_10 = "HTTP/1.0".getBytes(StandardCharsets.US_ASCII);
    private static final int MAX_CHUNK_LINE = 4096;
    private static final int MAX_EMPTY_LINES = 4;

    private enum State { REQUEST_LINE, HEADER, CHUNK_LINE, CHUNK_DATA, CHUNK_CRLF, TRAILER, FIXED_BODY }

    private final int maxRequestLine;
    private final int maxHeaderLine;
    private final int maxHead;
    private final long headTimeoutNanos;
    private State state = State.REQUEST_LINE;
    private byte[] line = new byte[256];
    private int lineLength;
    private boolean sawCr;
    private int headBytes;
    private long remaining;
    private long contentLength = -1;
    private String transferEncoding;
    private boolean failed;
    private int emptyLines;
    /** Set by {@link #process} when a byte breaks the grammar; with a status other than 400 when a limit is passed. */
    private String fault;
    private HttpResponseStatus faultStatus;
    private String faultCode;
    private ChannelHandlerContext ctx;
    /** When the head being read began ({@link Long#MIN_VALUE}: none is), and whether a timer watches it. */
    private long headStartedNanos = Long.MIN_VALUE;
    private boolean headTimerArmed;
    private final ByteProcessor scanner = this::process;

    public StrictHttp1Guard(ProxyLimits limits) {
        this.maxRequestLine = limits.maxRequestLineBytes();
        this.maxHeaderLine = limits.maxHeaderBytes();
        this.maxHead = limits.maxRequestLineBytes() + limits.maxHeaderBytes();
        this.headTimeoutNanos = limits.requestHeadersTimeout().toNanos();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        headStarted(); // the first request's head is due from the start of the connection
    }

    private void headStarted() {
        headStartedNanos = ctx.executor().ticker().nanoTime();
        if (!headTimerArmed) {
            headTimerArmed = true;
            ctx.executor().schedule(this::checkHeadDeadline, headTimeoutNanos, TimeUnit.NANOSECONDS);
        }
    }

    /** The timer re-arms itself for the head under way, so a keep-alive connection needs one at a time. */
    private void checkHeadDeadline() {
        headTimerArmed = false;
        if (failed || headStartedNanos == Long.MIN_VALUE || !ctx.channel().isActive()) {
            return;
        }
        long now = ctx.executor().ticker().nanoTime();
        if (!ctx.channel().config().isAutoRead()) {
            headStartedNanos = now; // an exchange holds the reads back: the client is not the slow one
        }
        long left = headStartedNanos + headTimeoutNanos - now;
        if (left > 0) {
            headTimerArmed = true;
            ctx.executor().schedule(this::checkHeadDeadline, left, TimeUnit.NANOSECONDS);
            return;
        }
        failed = true;
        ctx.fireUserEventTriggered(new MalformedRequest(HttpResponseStatus.REQUEST_TIMEOUT, "request-headers-timeout",
                "the request head was not complete within the request-headers timeout of "
                        + Duration.ofNanos(headTimeoutNanos).toMillis() + " ms", false));
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (failed || !(msg instanceof ByteBuf buf)) {
            if (failed) {
                ReferenceCountUtil.release(msg);
            } else {
                ctx.fireChannelRead(msg);
            }
            return;
        }
        int end = buf.writerIndex();
        int i = buf.readerIndex();
        while (i < end && fault == null) {
            if (state == State.FIXED_BODY || state == State.CHUNK_DATA) {
                int take = (int) Math.min(remaining, end - i);
                i += take;
                remaining -= take;
                if (remaining == 0) {
                    state = state == State.FIXED_BODY ? State.REQUEST_LINE : State.CHUNK_CRLF;
                }
                continue;
            }
            // Runs until a body starts (skipped above), a fault, or the end of the buffer.
            int stopped = buf.forEachByte(i, end - i, scanner);
            i = stopped < 0 ? end : stopped + 1;
        }
        if (fault == null) {
            ctx.fireChannelRead(buf);
            return;
        }
        failed = true;
        boolean inBody = state != State.REQUEST_LINE && state != State.HEADER;
        // Pass what was valid before the fault, so the decoder finishes what it may; then report.
        int validBytes = i - 1 - buf.readerIndex();
        if (validBytes > 0 && !inBody) {
            ctx.fireChannelRead(buf.retainedSlice(buf.readerIndex(), validBytes));
        }
        buf.release();
        ctx.fireUserEventTriggered(faultStatus == null ? MalformedRequest.badRequest(fault, inBody)
                : new MalformedRequest(faultStatus, faultCode, fault, inBody));
    }

    private String overLimit(HttpResponseStatus status, String code, String message) {
        faultStatus = status;
        faultCode = code;
        return message;
    }

    /** Consumes one byte of a line-oriented state; false stops the scan (a fault, or a body begins). */
    private boolean process(byte value) {
        fault = onByte(value & 0xff);
        return fault == null && state != State.FIXED_BODY && state != State.CHUNK_DATA;
    }

    private String onByte(int b) {
        if (state == State.REQUEST_LINE || state == State.HEADER || state == State.TRAILER) {
            if (++headBytes > maxHead) {
                return overLimit(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "headers-too-large",
                        "the request head is longer than " + maxHead + " bytes");
            }
            if (headBytes == 1 && state == State.REQUEST_LINE && headStartedNanos == Long.MIN_VALUE) {
                headStarted();
            }
        }
        if (sawCr) {
            sawCr = false;
            if (b != '\n') {
                return "a CR not followed by LF";
            }
            String lineFault = onLine();
            lineLength = 0;
            return lineFault;
        }
        if (b == '\r') {
            sawCr = true;
            return null;
        }
        if (b == '\n') {
            return "a bare LF (lines must end with CRLF)";
        }
        int limit = switch (state) {
            case REQUEST_LINE -> maxRequestLine;
            case HEADER, TRAILER -> maxHeaderLine;
            default -> MAX_CHUNK_LINE;
        };
        if (lineLength >= limit) {
            return switch (state) {
                case REQUEST_LINE -> overLimit(HttpResponseStatus.REQUEST_URI_TOO_LONG, "request-line-too-long",
                        "the request line is longer than " + limit + " bytes");
                case HEADER, TRAILER -> overLimit(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "headers-too-large",
                        "a header line is longer than " + limit + " bytes");
                default -> "a chunk line longer than " + limit + " bytes";
            };
        }
        if (lineLength == line.length) {
            line = java.util.Arrays.copyOf(line, Math.min(limit, line.length * 2));
        }
        line[lineLength++] = (byte) b;
        return null;
    }

    private String onLine() {
        return switch (state) {
            case REQUEST_LINE -> requestLine();
            case HEADER -> lineLength == 0 ? endOfHead() : header(false);
            case TRAILER -> lineLength == 0 ? nextMessage() : header(true);
            case CHUNK_LINE -> chunkLine();
            case CHUNK_CRLF -> lineLength == 0 ? chunkDone() : "chunk data not followed by CRLF";
            default -> throw new IllegalStateException(state.name());
        };
    }

    private String requestLine() {
        if (lineLength == 0) {
            // RFC 9112 2.2: a server should ignore at least one empty line before a request line.
            return ++emptyLines > MAX_EMPTY_LINES ? "too many empty lines before the request line" : null;
        }
        int first = indexOf(' ', 0);
        int second = first < 0 ? -1 : indexOf(' ', first + 1);
        if (first <= 0 || second < 0 || indexOf(' ', second + 1) >= 0) {
            return "the request line is not 'METHOD target HTTP/1.1' with single spaces";
        }
        AsciiString method = new AsciiString(line, 0, first, false);
        if (!KnownMethods.contains(method)) {
            return "unknown method '" + printable(text(0, first)) + "'";
        }
        if (second == first + 1) {
            return "an empty request target";
        }
        for (int i = first + 1; i < second; i++) {
            int c = line[i] & 0xff;
            if (c <= 0x20 || c >= 0x7f) {
                return "a control, space or non-ASCII byte in the request target";
            }
        }
        if (!equalsAt(second + 1, HTTP_11, false) && !equalsAt(second + 1, HTTP_10, false)) {
            return "unsupported version '" + printable(text(second + 1, lineLength)) + "' (expected HTTP/1.1 or HTTP/1.0)";
        }
        contentLength = -1;
        transferEncoding = null;
        emptyLines = 0;
        state = State.HEADER;
        return null;
    }

    private String header(boolean trailer) {
        if (line[0] == ' ' || line[0] == '\t') {
            return "a folded header line (obs-fold)";
        }
        int colon = indexOf(':', 0);
        if (colon <= 0) {
            return "a header line without a name and a colon";
        }
        for (int i = 0; i < colon; i++) {
            if (!isTchar((char) (line[i] & 0xff))) {
                return "an invalid character in a header name";
            }
        }
        for (int i = colon + 1; i < lineLength; i++) {
            int c = line[i] & 0xff;
            if ((c < 0x20 && c != '\t') || c == 0x7f) {
                return "a control character in a header value";
            }
        }
        if (trailer) {
            return null;
        }
        if (colon == CONTENT_LENGTH.length && equalsAt(0, CONTENT_LENGTH, true)) {
            if (contentLength >= 0) {
                return "more than one Content-Length";
            }
            int from = skipWhitespace(colon + 1);
            int to = trimWhitespace(from);
            if (from == to || to - from > 18) {
                return "Content-Length is not a number";
            }
            long value = 0;
            for (int i = from; i < to; i++) {
                int digit = line[i] - '0';
                if (digit < 0 || digit > 9) {
                    return "Content-Length is not a number";
                }
                value = value * 10 + digit;
            }
            contentLength = value;
        } else if (colon == TRANSFER_ENCODING.length && equalsAt(0, TRANSFER_ENCODING, true)) {
            String value = text(skipWhitespace(colon + 1), trimWhitespace(skipWhitespace(colon + 1)));
            transferEncoding = transferEncoding == null ? value : transferEncoding + "," + value;
        }
        return null;
    }

    private String endOfHead() {
        headBytes = 0; // the head limit applies to each request of a keep-alive connection on its own
        headStartedNanos = Long.MIN_VALUE;
        if (transferEncoding != null) {
            if (contentLength >= 0) {
                return "both Content-Length and Transfer-Encoding";
            }
            String[] codings = transferEncoding.split(",");
            for (int i = 0; i < codings.length; i++) {
                String coding = codings[i].strip().toLowerCase(Locale.ROOT);
                boolean last = i == codings.length - 1;
                if (coding.equals("chunked") != last || coding.isEmpty()) {
                    return "Transfer-Encoding must end with chunked, once";
                }
            }
            state = State.CHUNK_LINE;
            return null;
        }
        if (contentLength > 0) {
            remaining = contentLength;
            state = State.FIXED_BODY;
            return null;
        }
        return nextMessage();
    }

    private String chunkLine() {
        int sizeEnd = 0;
        while (sizeEnd < lineLength && Character.digit(line[sizeEnd], 16) >= 0) {
            sizeEnd++;
        }
        if (sizeEnd == 0 || sizeEnd > 15) {
            return "an invalid chunk size";
        }
        if (sizeEnd < lineLength) {
            if (line[sizeEnd] != ';') {
                return "an invalid character after the chunk size";
            }
            if (!validExtensions(text(sizeEnd, lineLength))) {
                return "invalid chunk extensions";
            }
        }
        long size = 0;
        for (int i = 0; i < sizeEnd; i++) {
            size = size * 16 + Character.digit(line[i], 16);
        }
        if (size == 0) {
            state = State.TRAILER;
        } else {
            remaining = size;
            state = State.CHUNK_DATA;
        }
        return null;
    }

    /** {@code *( ";" token [ "=" ( token / quoted-string ) ] )}, without optional whitespace. */
    private static boolean validExtensions(String s) {
        int i = 0;
        while (i < s.length()) {
            if (s.charAt(i++) != ';') {
                return false;
            }
            int nameStart = i;
            while (i < s.length() && isTchar(s.charAt(i))) {
                i++;
            }
            if (i == nameStart) {
                return false;
            }
            if (i < s.length() && s.charAt(i) == '=') {
                i++;
                if (i < s.length() && s.charAt(i) == '"') {
                    i++;
                    while (i < s.length() && s.charAt(i) != '"') {
                        char c = s.charAt(i);
                        if (c == '\\') {
                            i++;
                        } else if (c < 0x20 && c != '\t') {
                            return false;
                        }
                        i++;
                    }
                    if (i >= s.length()) {
                        return false; // unbalanced quote
                    }
                    i++;
                } else {
                    int valueStart = i;
                    while (i < s.length() && isTchar(s.charAt(i))) {
                        i++;
                    }
                    if (i == valueStart) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    private String chunkDone() {
        state = State.CHUNK_LINE;
        return null;
    }

    private String nextMessage() {
        state = State.REQUEST_LINE;
        headBytes = 0;
        return null;
    }

    private int indexOf(char c, int from) {
        for (int i = from; i < lineLength; i++) {
            if (line[i] == c) {
                return i;
            }
        }
        return -1;
    }

    /** Whether {@code expected} stands at {@code at} and ends the line, or (for names) fills {@code [at, at + length)}. */
    private boolean equalsAt(int at, byte[] expected, boolean ignoreCase) {
        if (ignoreCase ? at + expected.length > lineLength : lineLength - at != expected.length) {
            return false;
        }
        for (int i = 0; i < expected.length; i++) {
            byte b = line[at + i];
            if (ignoreCase && b >= 'A' && b <= 'Z') {
                b += 'a' - 'A';
            }
            if (b != expected[i]) {
                return false;
            }
        }
        return true;
    }

    /** Leading optional whitespace (SP, HTAB) of a header value; other control bytes were refused already. */
    private int skipWhitespace(int from) {
        while (from < lineLength && (line[from] == ' ' || line[from] == '\t')) {
            from++;
        }
        return from;
    }

    private int trimWhitespace(int from) {
        int to = lineLength;
        while (to > from && (line[to - 1] == ' ' || line[to - 1] == '\t')) {
            to--;
        }
        return to;
    }

    /** Only for messages and the rare fields kept as text. */
    private String text(int from, int to) {
        return new String(line, from, to - from, StandardCharsets.ISO_8859_1);
    }

    private static boolean isTchar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
    }

    /** At most 32 characters of a caller's text, with control and non-ASCII characters escaped, for a log or an answer. */
    static String printable(String s) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < Math.min(s.length(), 32); i++) {
            char c = s.charAt(i);
            out.append(c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\x%02x", (int) c));
        }
        return out.toString();
    }
}
