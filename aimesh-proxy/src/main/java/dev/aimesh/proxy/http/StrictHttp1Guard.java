package dev.aimesh.proxy.http;

import java.util.Locale;
import java.util.Set;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
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
 */
public final class StrictHttp1Guard extends ChannelInboundHandlerAdapter {
    private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE",
            "PATCH", "COPY", "LOCK", "MKCOL", "MOVE", "PROPFIND", "PROPPATCH", "SEARCH", "UNLOCK", "BIND", "REBIND", "UNBIND",
            "ACL", "REPORT", "MKACTIVITY", "CHECKOUT", "MERGE", "M-SEARCH", "NOTIFY", "SUBSCRIBE", "UNSUBSCRIBE", "PURGE",
            "MKCALENDAR", "LINK", "UNLINK", "QUERY");
    private static final int MAX_CHUNK_LINE = 4096;
    private static final int MAX_EMPTY_LINES = 4;

    private enum State { REQUEST_LINE, HEADER, CHUNK_LINE, CHUNK_DATA, CHUNK_CRLF, TRAILER, FIXED_BODY }

    private final int maxLine;
    private final int maxHead;
    private State state = State.REQUEST_LINE;
    private final StringBuilder line = new StringBuilder();
    private boolean sawCr;
    private int headBytes;
    private long remaining;
    private String contentLength;
    private String transferEncoding;
    private boolean failed;
    private int emptyLines;

    public StrictHttp1Guard(ProxyLimits limits) {
        this.maxLine = Math.max(limits.maxRequestLineBytes(), limits.maxHeaderBytes());
        this.maxHead = limits.maxRequestLineBytes() + limits.maxHeaderBytes();
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
        String fault = null;
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
            fault = onByte(buf.getByte(i) & 0xff);
            i++;
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
        ctx.fireUserEventTriggered(new MalformedRequest("malformed-request", fault, inBody));
    }

    /** Consumes one byte of a line-oriented state; returns a fault or null. */
    private String onByte(int b) {
        if (state == State.REQUEST_LINE || state == State.HEADER || state == State.TRAILER) {
            if (++headBytes > maxHead) {
                return "the request head is longer than " + maxHead + " bytes";
            }
        }
        if (sawCr) {
            sawCr = false;
            if (b != '\n') {
                return "a CR not followed by LF";
            }
            String fault = onLine(line.toString());
            line.setLength(0);
            return fault;
        }
        if (b == '\r') {
            sawCr = true;
            return null;
        }
        if (b == '\n') {
            return "a bare LF (lines must end with CRLF)";
        }
        if (line.length() >= (state == State.CHUNK_LINE || state == State.CHUNK_CRLF ? MAX_CHUNK_LINE : maxLine)) {
            return "a line longer than the limit";
        }
        line.append((char) b);
        return null;
    }

    private String onLine(String text) {
        return switch (state) {
            case REQUEST_LINE -> requestLine(text);
            case HEADER -> text.isEmpty() ? endOfHead() : header(text, false);
            case TRAILER -> text.isEmpty() ? nextMessage() : header(text, true);
            case CHUNK_LINE -> chunkLine(text);
            case CHUNK_CRLF -> text.isEmpty() ? chunkDone() : "chunk data not followed by CRLF";
            default -> throw new IllegalStateException(state.name());
        };
    }

    private String requestLine(String text) {
        if (text.isEmpty()) {
            // RFC 9112 2.2: a server should ignore at least one empty line before a request line.
            return ++emptyLines > MAX_EMPTY_LINES ? "too many empty lines before the request line" : null;
        }
        int first = text.indexOf(' ');
        int second = first < 0 ? -1 : text.indexOf(' ', first + 1);
        if (first <= 0 || second < 0 || text.indexOf(' ', second + 1) >= 0) {
            return "the request line is not 'METHOD target HTTP/1.1' with single spaces";
        }
        String method = text.substring(0, first);
        String target = text.substring(first + 1, second);
        String version = text.substring(second + 1);
        if (!METHODS.contains(method)) {
            return "unknown method '" + printable(method) + "'";
        }
        if (target.isEmpty()) {
            return "an empty request target";
        }
        for (int i = 0; i < target.length(); i++) {
            char c = target.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                return "a control, space or non-ASCII byte in the request target";
            }
        }
        if (!version.equals("HTTP/1.1") && !version.equals("HTTP/1.0")) {
            return "unsupported version '" + printable(version) + "' (expected HTTP/1.1 or HTTP/1.0)";
        }
        contentLength = null;
        transferEncoding = null;
        emptyLines = 0;
        state = State.HEADER;
        return null;
    }

    private String header(String text, boolean trailer) {
        if (text.charAt(0) == ' ' || text.charAt(0) == '\t') {
            return "a folded header line (obs-fold)";
        }
        int colon = text.indexOf(':');
        if (colon <= 0) {
            return "a header line without a name and a colon";
        }
        for (int i = 0; i < colon; i++) {
            if (!isTchar(text.charAt(i))) {
                return "an invalid character in a header name";
            }
        }
        String value = text.substring(colon + 1).strip();
        for (int i = colon + 1; i < text.length(); i++) {
            char c = text.charAt(i);
            if ((c < 0x20 && c != '\t') || c == 0x7f) {
                return "a control character in a header value";
            }
        }
        if (trailer) {
            return null;
        }
        String name = text.substring(0, colon).toLowerCase(Locale.ROOT);
        if (name.equals("content-length")) {
            if (contentLength != null) {
                return "more than one Content-Length";
            }
            if (value.isEmpty() || value.length() > 18 || !value.chars().allMatch(Character::isDigit)) {
                return "Content-Length is not a number";
            }
            contentLength = value;
        } else if (name.equals("transfer-encoding")) {
            transferEncoding = transferEncoding == null ? value : transferEncoding + "," + value;
        }
        return null;
    }

    private String endOfHead() {
        headBytes = 0; // the head limit applies to each request of a keep-alive connection on its own
        if (transferEncoding != null) {
            if (contentLength != null) {
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
        if (contentLength != null && Long.parseLong(contentLength) > 0) {
            remaining = Long.parseLong(contentLength);
            state = State.FIXED_BODY;
            return null;
        }
        return nextMessage();
    }

    private String chunkLine(String text) {
        int sizeEnd = 0;
        while (sizeEnd < text.length() && Character.digit(text.charAt(sizeEnd), 16) >= 0) {
            sizeEnd++;
        }
        if (sizeEnd == 0 || sizeEnd > 15) {
            return "an invalid chunk size";
        }
        String extensions = text.substring(sizeEnd);
        if (!extensions.isEmpty() && extensions.charAt(0) != ';') {
            return "an invalid character after the chunk size";
        }
        if (!extensions.isEmpty() && !validExtensions(extensions)) {
            return "invalid chunk extensions";
        }
        long size = Long.parseLong(text.substring(0, sizeEnd), 16);
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

    private static boolean isTchar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
    }

    private static String printable(String s) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < Math.min(s.length(), 32); i++) {
            char c = s.charAt(i);
            out.append(c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\x%02x", (int) c));
        }
        return out.toString();
    }
}
