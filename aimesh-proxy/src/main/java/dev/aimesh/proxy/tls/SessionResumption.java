package dev.aimesh.proxy.tls;

import javax.net.ssl.SSLSessionContext;
import io.netty.handler.ssl.OpenSslSessionContext;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.internal.tcnative.SSL;

/**
 * Turns TLS session resumption off on the mTLS server side. A resumed session skips the trust manager, so a
 * ticket or cached session would let a peer whose certificate has since expired (or whose root left the
 * bundle) keep connecting as that identity. Every handshake is a full one instead; connections between
 * proxies are long-lived and pooled, so the cost is rare. The JDK provider has no switch for TLS 1.3
 * tickets short of a JVM-wide property: there the listener re-verifies the peer after every handshake
 * ({@link MeshTls#recheck}), which also guards BoringSSL.
 */
public final class SessionResumption {
    private SessionResumption() {}

    /** No session cache on the context. */
    public static void disable(SslContext context) {
        SSLSessionContext sessions = context.sessionContext();
        if (sessions instanceof OpenSslSessionContext openSsl) {
            openSsl.setSessionCacheEnabled(false);
        }
    }

    /** No TLS 1.3 session ticket from this connection (Netty's context-wide option is cleared once ticket keys exist). */
    public static SslHandler withoutTickets(SslHandler handler) {
        if (handler.engine() instanceof ReferenceCountedOpenSslEngine engine) {
            SSL.setOptions(engine.sslPointer(), SSL.SSL_OP_NO_TICKET);
        }
        return handler;
    }
}
