package dev.aimesh.proxy.tls;

import dev.aimesh.identity.tls.TlsFailures;
import javax.net.ssl.SSLException;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslCloseCompletionEvent;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.internal.tcnative.SSL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * After an accepted connection's handshake: once its TLS session is over the connection is closed at once,
 * instead of waiting for the idle timeout, with one line saying why. A fatal error in a record (one that does
 * not decrypt, an alert from the peer) comes as an SSLException; a peer's close_notify as the end of the session.
 * On BoringSSL an error in bytes that came with the client's Finished is only raised by the next write, which an
 * HTTP/1.1 server never makes while it waits for a request: a flush once the handshake is done raises it.
 * And when such a record comes while the engine still has bytes to send (its session tickets), BoringSSL's
 * engine drops the error once the handshake is over: the engine only shows it as the peer's side shut, which
 * is read after each read here.
 */
public final class TlsSessionEnd extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(TlsSessionEnd.class);
    /** The connection's BoringSSL engine once its handshake is done (null on the JDK's, which raises every error). */
    private ReferenceCountedOpenSslEngine openSsl;
    /** Closed for a reason already said: a read-side shutdown seen afterwards is that close, not a new error. */
    private boolean closing;

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof SslHandshakeCompletionEvent done && done.isSuccess()) {
            if (ctx.pipeline().get(SslHandler.class).engine() instanceof ReferenceCountedOpenSslEngine engine) {
                openSsl = engine;
            }
            ctx.flush();
        }
        if (event instanceof SslCloseCompletionEvent ended) {
            closing = true;
            if (ended.isSuccess() || ended.cause() instanceof java.nio.channels.ClosedChannelException) {
                // a session the peer ended, or one the proxy's own close ended (at shutdown): nothing went wrong
                log.debug("closing the connection from {}: its TLS session ended", ctx.channel().remoteAddress());
            } else {
                log.warn("closed the connection from {}: TLS: {}", ctx.channel().remoteAddress(), TlsFailures.reason(ended.cause()));
            }
            ctx.close();
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (openSsl != null && !closing && ctx.channel().isActive() && readSideShut(openSsl)) {
            closing = true;
            log.warn("closed the connection from {}: TLS: a fatal error in a record from the peer", ctx.channel().remoteAddress());
            ctx.close();
            return;
        }
        ctx.fireChannelReadComplete();
    }

    private static boolean readSideShut(ReferenceCountedOpenSslEngine engine) {
        long pointer = engine.sslPointer(); // 0 once the engine is freed; only this event loop frees it
        return pointer != 0 && (SSL.getShutdown(pointer) & SSL.SSL_RECEIVED_SHUTDOWN) != 0;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable tls = cause;
        while (!(tls instanceof SSLException) && tls.getCause() != null && tls.getCause() != tls) {
            tls = tls.getCause();
        }
        if (tls instanceof SSLException) {
            closing = true;
            log.warn("closed the connection from {}: TLS: {}", ctx.channel().remoteAddress(), TlsFailures.reason(tls));
            ctx.close();
            return;
        }
        ctx.fireExceptionCaught(cause);
    }
}
