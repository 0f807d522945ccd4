package dev.aimesh.proxy.http;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.Http2CodecUtil;

/**
 * A hand-written HTTP/2 client for conformance tests (what h2spec sends): frames are built byte by byte, so
 * that they can break the protocol in ways no well-behaved client library allows, and fed to a server
 * pipeline in an {@link EmbeddedChannel}; the frames it answers are parsed back.
 */
final class RawHttp2 {
    static final int DATA = 0x0, HEADERS = 0x1, PRIORITY = 0x2, RST_STREAM = 0x3, SETTINGS = 0x4, PING = 0x6, GOAWAY = 0x7,
            WINDOW_UPDATE = 0x8, CONTINUATION = 0x9;
    static final int END_STREAM = 0x1, END_HEADERS = 0x4;
    static final int NO_ERROR = 0x0, PROTOCOL_ERROR = 0x1, STREAM_CLOSED = 0x5, REFUSED_STREAM = 0x7, CANCEL = 0x8;

    /** A frame the server sent. */
    record Frame(int type, int flags, int stream, byte[] payload) {
        int errorCode() {
            int at = type == GOAWAY ? 4 : 0;
            return ((payload[at] & 0xff) << 24) | ((payload[at + 1] & 0xff) << 16) | ((payload[at + 2] & 0xff) << 8)
                    | (payload[at + 3] & 0xff);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Frame f && f.type == type && f.flags == flags && f.stream == stream
                    && java.util.Arrays.equals(f.payload, payload);
        }

        @Override
        public int hashCode() {
            return java.util.Objects.hash(type, flags, stream, java.util.Arrays.hashCode(payload));
        }

        @Override
        public String toString() {
            String name = switch (type) {
                case DATA -> "DATA"; case HEADERS -> "HEADERS"; case RST_STREAM -> "RST_STREAM"; case SETTINGS -> "SETTINGS";
                case PING -> "PING"; case GOAWAY -> "GOAWAY"; case WINDOW_UPDATE -> "WINDOW_UPDATE"; default -> "type " + type;
            };
            String extra = type == RST_STREAM || type == GOAWAY ? " error=" + errorCode() : "";
            if (type == GOAWAY && payload.length > 8) {
                extra += " '" + new String(payload, 8, payload.length - 8, StandardCharsets.UTF_8) + "'";
            }
            return name + "(stream " + stream + ", flags " + flags + extra + ")";
        }
    }

    private final EmbeddedChannel channel;
    private final ByteBuf pending = Unpooled.buffer();

    RawHttp2(EmbeddedChannel channel) {
        this.channel = channel;
    }

    /** The connection preface and an empty SETTINGS frame, as every client starts. */
    RawHttp2 start() {
        send(Http2CodecUtil.connectionPrefaceBuf().retainedDuplicate());
        frame(SETTINGS, 0, 0, new byte[0]);
        return this;
    }

    void send(ByteBuf bytes) {
        channel.writeInbound(bytes);
        channel.runPendingTasks();
    }

    void frame(int type, int flags, int stream, byte[] payload) {
        ByteBuf b = Unpooled.buffer(9 + payload.length);
        b.writeMedium(payload.length).writeByte(type).writeByte(flags).writeInt(stream).writeBytes(payload);
        send(b);
    }

    /** A HEADERS frame with the given name/value pairs, in order, validated by no one. */
    void headers(int stream, int flags, String... namesAndValues) {
        frame(HEADERS, flags, stream, block(namesAndValues));
    }

    /** A GET of / with every pseudo-header a request needs, then {@code extra}. */
    void get(int stream, int flags, String... extra) {
        List<String> all = new ArrayList<>(List.of(":method", "GET", ":scheme", "https", ":path", "/", ":authority", "model"));
        all.addAll(List.of(extra));
        headers(stream, flags, all.toArray(String[]::new));
    }

    /**
     * An HPACK block of literal fields without indexing (RFC 7541 6.2.2), in the order given: Netty's encoder
     * would put the pseudo-headers first, hiding a client that sends them out of order.
     */
    static byte[] block(String... namesAndValues) {
        ByteBuf out = Unpooled.buffer();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            out.writeByte(0x00);
            literal(out, namesAndValues[i]);
            literal(out, namesAndValues[i + 1]);
        }
        byte[] bytes = new byte[out.readableBytes()];
        out.readBytes(bytes);
        return bytes;
    }

    /** A string literal, not Huffman-coded: its length as a 7-bit-prefix integer, then its bytes. */
    private static void literal(ByteBuf out, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.ISO_8859_1);
        int length = bytes.length;
        if (length < 127) {
            out.writeByte(length);
        } else {
            out.writeByte(127);
            length -= 127;
            while (length >= 128) {
                out.writeByte((length & 0x7f) | 0x80);
                length >>>= 7;
            }
            out.writeByte(length);
        }
        out.writeBytes(bytes);
    }

    static byte[] rstStream(int code) {
        return Unpooled.buffer(4).writeInt(code).array();
    }

    /** Every frame the server has written so far (SETTINGS, its ACKs and window updates included). */
    List<Frame> received() {
        channel.runPendingTasks();
        ByteBuf out;
        while ((out = channel.readOutbound()) != null) {
            pending.writeBytes(out);
            out.release();
        }
        List<Frame> frames = new ArrayList<>();
        while (pending.readableBytes() >= 9) {
            int length = pending.getUnsignedMedium(pending.readerIndex());
            if (pending.readableBytes() < 9 + length) {
                break;
            }
            pending.skipBytes(3);
            int type = pending.readUnsignedByte();
            int flags = pending.readUnsignedByte();
            int stream = pending.readInt() & 0x7fffffff;
            byte[] payload = new byte[length];
            pending.readBytes(payload);
            frames.add(new Frame(type, flags, stream, payload));
        }
        pending.discardReadBytes();
        return frames;
    }
}
