package dev.aimesh.proxy.net;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2Settings;

/**
 * The HTTP/2 flow-control windows this proxy gives its peers, as a client and as a server. HTTP/2's default is
 * 64 KiB for a stream and 64 KiB for the whole connection: one stream whose reader stops holds the connection's
 * window with the bytes it has not taken, and every other stream on that connection stops too; and with many
 * streams at once the connection window, returned once per round trip, caps what all of them carry together.
 * Here a stream may have {@link #STREAM} bytes in flight and the connection {@link #CONNECTION}, so up to 15
 * stopped streams leave the rest of the connection running; a stopped stream buffers at most its own window.
 */
public final class Http2Windows {
    public static final int STREAM = 256 * 1024;
    public static final int CONNECTION = 4 * 1024 * 1024;

    private Http2Windows() {}

    /** {@code settings} with this proxy's stream window. */
    public static Http2Settings streamWindow(Http2Settings settings) {
        return settings.initialWindowSize(STREAM);
    }

    /**
     * After the frame codec: opens the connection's window (SETTINGS cannot; only a WINDOW_UPDATE on stream 0
     * can) once the connection is active, and leaves.
     */
    public static ChannelHandler connectionWindow() {
        return new ConnectionWindow();
    }

    private static final class ConnectionWindow extends ChannelInboundHandlerAdapter {
        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            if (ctx.channel().isActive()) {
                open(ctx);
            }
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            open(ctx);
            ctx.fireChannelActive();
        }

        private static void open(ChannelHandlerContext ctx) {
            // Netty's codec has opened it a little already (twice the stream window's excess): up to CONNECTION from
            // there, written through the codec, which keeps the window's books.
            Http2Connection connection = ctx.pipeline().get(Http2FrameCodec.class).connection();
            int open = connection.local().flowController().initialWindowSize(connection.connectionStream());
            if (open < CONNECTION) {
                ctx.writeAndFlush(new DefaultHttp2WindowUpdateFrame(CONNECTION - open));
            }
            ctx.pipeline().remove(ctx.handler());
        }
    }
}
