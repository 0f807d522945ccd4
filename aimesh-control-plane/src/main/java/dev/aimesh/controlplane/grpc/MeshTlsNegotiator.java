package dev.aimesh.controlplane.grpc;

import dev.aimesh.identity.tls.TlsFailures;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;
import io.grpc.netty.GrpcHttp2ConnectionHandler;
import io.grpc.netty.InternalProtocolNegotiator;
import io.grpc.netty.InternalProtocolNegotiators;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.internal.tcnative.SSL;
import io.netty.util.AsciiString;

/**
 * gRPC's server TLS, one connection at a time: each connection takes the context of the current trust
 * bundle (so the CertificateRequest lists every root it holds, see {@link GrpcServer}), gets no TLS 1.3
 * session ticket (a resumed session would skip the trust manager), and a refused handshake is reported to
 * {@link HandshakeRefusals} as one line instead of reaching gRPC's own logging.
 */
final class MeshTlsNegotiator implements InternalProtocolNegotiator.ProtocolNegotiator {
    private static final AsciiString HTTPS = AsciiString.of("https");
    private final Supplier<SslContext> contexts;
    private final HandshakeRefusals refusals;

    MeshTlsNegotiator(Supplier<SslContext> contexts, HandshakeRefusals refusals) {
        this.contexts = contexts;
        this.refusals = refusals;
    }

    @Override
    public AsciiString scheme() {
        return HTTPS;
    }

    @Override
    public ChannelHandler newHandler(GrpcHttp2ConnectionHandler grpcHandler) {
        ChannelHandler tls = InternalProtocolNegotiators.serverTls(contexts.get()).newHandler(grpcHandler);
        return new HandshakeWatch(tls, refusals);
    }

    @Override
    public void close() {}

    /**
     * Sits after gRPC's TLS negotiation, which it puts in front of itself: takes the handshake's failure (which
     * gRPC's handler passes on as an exception) and closes the connection; once the handshake succeeded it
     * only passes events on.
     */
    private static final class HandshakeWatch extends ChannelDuplexHandler {
        private final ChannelHandler tls;
        private final HandshakeRefusals refusals;
        private boolean ticketsOff;
        private boolean reported;

        HandshakeWatch(ChannelHandler tls, HandshakeRefusals refusals) {
            this.tls = tls;
            this.refusals = refusals;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            ctx.pipeline().addBefore(ctx.name(), null, tls);
            noTickets(ctx);
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) throws Exception {
            noTickets(ctx); // gRPC adds the SslHandler once the channel is active
            super.channelActive(ctx);
        }

        private void noTickets(ChannelHandlerContext ctx) {
            SslHandler ssl = ctx.pipeline().get(SslHandler.class);
            if (!ticketsOff && ssl != null) {
                ticketsOff = true;
                if (ssl.engine() instanceof ReferenceCountedOpenSslEngine engine) {
                    SSL.setOptions(engine.sslPointer(), SSL.SSL_OP_NO_TICKET);
                }
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
            noTickets(ctx);
            super.channelRead(ctx, msg);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
            SslHandler ssl = ctx.pipeline().get(SslHandler.class);
            boolean handshakeFailed = ssl == null ? cause instanceof SSLException || cause.getCause() instanceof SSLException
                    : ssl.handshakeFuture().isDone() && !ssl.handshakeFuture().isSuccess();
            if (!handshakeFailed) {
                super.exceptionCaught(ctx, cause);
                return;
            }
            if (!reported) { // SslHandler and gRPC's handler each pass the failure on
                reported = true;
                refusals.refused(ctx.channel().remoteAddress(), TlsFailures.reason(cause));
            }
            ctx.close();
        }
    }
}
