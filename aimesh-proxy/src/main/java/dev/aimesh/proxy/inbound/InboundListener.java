package dev.aimesh.proxy.inbound;

import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLPeerUnverifiedException;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import dev.aimesh.core.identity.SpiffeId;
import dev.aimesh.identity.x509.SubjectAltNames;
import dev.aimesh.proxy.http.ForwardedClientCert;
import dev.aimesh.proxy.http.ProxyLimits;
import dev.aimesh.proxy.http.RequestRouter;
import dev.aimesh.proxy.http.ServerPipelines;
import dev.aimesh.proxy.net.EventLoops;
import dev.aimesh.proxy.net.Listeners;
import dev.aimesh.proxy.net.TrafficCounters;
import dev.aimesh.proxy.tls.MeshTls;

/**
 * The front door of a workload: mutual TLS is required (a client certificate verified against the trust
 * bundle and the trust domain), the peer's SPIFFE ID is read once per connection, then HTTP/2 or
 * HTTP/1.1 as ALPN chose. A refused handshake is logged with its reason and affects no other connection.
 */
public final class InboundListener implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(InboundListener.class);

    private final Channel server;
    private final TrafficCounters counters = new TrafficCounters();

    public InboundListener(InetSocketAddress listen, EventLoops loops, MeshTls tls, SpiffeId self, RequestRouter router,
            ProxyLimits limits) {
        this.server = Listeners.bind(listen, loops, limits.idleTimeout(), counters, ch -> {
            SslHandler ssl = tls.server().newHandler(ch.alloc());
            ssl.setHandshakeTimeoutMillis(limits.connectTimeout().toMillis());
            ch.pipeline().addLast("tls", ssl);
            ch.pipeline().addLast("peer", new PeerCapture(self));
            ch.pipeline().addLast("alpn", new ApplicationProtocolNegotiationHandler(ApplicationProtocolNames.HTTP_1_1) {
                @Override
                protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
                    if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
                        ServerPipelines.http2(ctx.pipeline(), router, limits);
                    } else {
                        ServerPipelines.http1(ctx.pipeline(), router, limits);
                    }
                }

                @Override
                protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
                    ctx.close(); // PeerCapture logged why
                }
            });
        });
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) server.localAddress();
    }

    /** Connections accepted (requests are counted by the upstreams they go to). */
    public TrafficCounters counters() {
        return counters;
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
    }

    /** Reads the verified peer after the handshake, or logs why the handshake failed. */
    private static final class PeerCapture extends ChannelInboundHandlerAdapter {
        private final SpiffeId self;

        PeerCapture(SpiffeId self) {
            this.self = self;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
            if (event instanceof SslHandshakeCompletionEvent done) {
                if (done.isSuccess()) {
                    capture(ctx);
                } else {
                    log.warn("refused a connection from {}: {}", ctx.channel().remoteAddress(), reason(done.cause()));
                }
                ctx.pipeline().remove(this);
            }
            ctx.fireUserEventTriggered(event);
        }

        private void capture(ChannelHandlerContext ctx) throws SSLPeerUnverifiedException, java.security.cert.CertificateParsingException {
            SslHandler ssl = ctx.pipeline().get(SslHandler.class);
            X509Certificate leaf = (X509Certificate) ssl.engine().getSession().getPeerCertificates()[0];
            List<String> uris = SubjectAltNames.uris(leaf);
            SpiffeId peer = SpiffeId.parse(uris.get(0)); // the trust manager has verified there is exactly one
            String sni = "";
            if (ssl.engine().getSession() instanceof ExtendedSSLSession session) {
                for (SNIServerName name : session.getRequestedServerNames()) {
                    if (name instanceof SNIHostName host) {
                        sni = host.getAsciiName();
                    }
                }
            }
            ctx.channel().attr(PeerIdentity.KEY).set(new PeerIdentity(peer, ForwardedClientCert.value(self, leaf, peer), sni));
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.warn("refused a connection from {}: {}", ctx.channel().remoteAddress(), reason(cause));
            ctx.close();
        }

        private static String reason(Throwable cause) {
            Throwable t = cause;
            while (t.getCause() != null && t.getCause() != t) {
                t = t.getCause();
            }
            return t.getMessage() != null ? t.getMessage() : t.toString();
        }
    }
}
