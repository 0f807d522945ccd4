package dev.aimesh.proxy.inbound;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.security.cert.X509Certificate;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.ByteToMessageDecoder;
import dev.aimesh.proxy.filter.common.SecurityEventSink;
import dev.aimesh.proxy.filter.netpol.ConnectionAdmission;
import dev.aimesh.proxy.http.CleartextProtocols;
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
import dev.aimesh.core.audit.SecurityEvent;
import dev.aimesh.core.identity.SpiffeId;
import dev.aimesh.identity.tls.TlsFailures;
import dev.aimesh.identity.x509.SubjectAltNames;
import dev.aimesh.proxy.filter.PeerIdentity;
import dev.aimesh.proxy.http.ForwardedClientCert;
import dev.aimesh.proxy.http.ProxyLimits;
import dev.aimesh.proxy.http.ServerPipelines;
import dev.aimesh.proxy.http.StreamAdmission;
import dev.aimesh.proxy.net.EventLoops;
import dev.aimesh.proxy.net.Listeners;
import dev.aimesh.proxy.net.TrafficCounters;
import dev.aimesh.proxy.snapshot.SnapshotHolder;
import dev.aimesh.proxy.tls.AlpnOfferCheck;
import dev.aimesh.proxy.tls.MeshTls;
import dev.aimesh.proxy.tls.TlsSessionEnd;

/**
 * The front door of a workload: mutual TLS (a client certificate verified against the trust bundle and the
 * trust domain), the peer's SPIFFE ID read once per connection and checked against the workload's
 * NetworkPolicies, then HTTP/2 or HTTP/1.1 as ALPN chose; plain text only where the workload's
 * PeerAuthentication mode allows it. A refused connection is logged with its reason, reported to the
 * {@link SecurityEventSink} (a failed handshake, plain text where mTLS is required, a NetworkPolicy refusal),
 * and affects no other. The streams one verified peer holds, over all its connections, are bounded by
 * {@link ProxyLimits#maxStreamsPerPeer()}; plain-text connections have no peer to count them by.
 */
public final class InboundListener implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(InboundListener.class);

    private final Channel server;
    private final TrafficCounters counters = new TrafficCounters();
    private final StreamsPerPeer streams;

    public InboundListener(InetSocketAddress listen, EventLoops loops, MeshTls tls, SpiffeId self, SnapshotHolder.Source chains,
            ProxyLimits limits, ConnectionAdmission admission, Refusals refusals) {
        this.streams = new StreamsPerPeer(limits.maxStreamsPerPeer());
        PeerStreams peerStreams = new PeerStreams(streams, new PeerStreamRefusals(refusals.events(), InstantSource.system()));
        this.server = Listeners.bind(listen, loops, limits.idleTimeout(), counters,
                ch -> ch.pipeline().addLast("transport", new TransportSniffer(tls, self, chains, limits, admission, refusals,
                        peerStreams)));
    }

    /** The per-peer stream count and what reports its refusals, shared by every connection of the listener. */
    private record PeerStreams(StreamsPerPeer streams, PeerStreamRefusals refusals) {
        /** The admission of a verified connection's streams; none for a connection without a verified peer. */
        Optional<StreamAdmission> of(Channel connection) {
            PeerIdentity peer = PeerIdentity.of(connection);
            return peer == null ? Optional.empty()
                    : Optional.of(new PeerStreamAdmission(streams, refusals, peer.id(), connection.remoteAddress()));
        }
    }

    /** Reports the connections refused before any request is read. */
    public record Refusals(SecurityEventSink events) {
        void report(SecurityEvent.Type type, Optional<SpiffeId> peer, SocketAddress remote, String reason) {
            events.report(type, Map.of(SecurityEvent.Field.CALLER,
                    SecurityEventSink.caller(peer, remote), SecurityEvent.Field.REASON, reason));
        }
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) server.localAddress();
    }

    /** The HTTP/2 streams and HTTP/1.1 exchanges {@code peer} holds now, over all its connections. */
    public int streamsHeld(SpiffeId peer) {
        return streams.held(peer);
    }

    /** Peers holding at least one stream now. */
    public int peersHoldingStreams() {
        return streams.peers();
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
        private final MeshTls tls;
        private final SpiffeId self;
        private final ConnectionAdmission admission;
        private final Refusals refusals;

        PeerCapture(MeshTls tls, SpiffeId self, ConnectionAdmission admission, Refusals refusals) {
            this.tls = tls;
            this.self = self;
            this.admission = admission;
            this.refusals = refusals;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
            if (event instanceof SslHandshakeCompletionEvent done) {
                if (done.isSuccess()) {
                    capture(ctx);
                } else {
                    String reason = TlsFailures.reason(done.cause());
                    log.warn("refused a connection from {}: {}", ctx.channel().remoteAddress(), reason);
                    refusals.report(SecurityEvent.Type.PEER_AUTHN_REFUSED, Optional.empty(), ctx.channel().remoteAddress(),
                            "TLS handshake: " + reason);
                }
                ctx.pipeline().remove(this);
            }
            ctx.fireUserEventTriggered(event);
        }

        private void capture(ChannelHandlerContext ctx) throws SSLPeerUnverifiedException, java.security.cert.CertificateParsingException {
            SslHandler ssl = ctx.pipeline().get(SslHandler.class);
            // A resumed session skipped the trust manager: its certificate may have expired or left the bundle since.
            Optional<String> stale = tls.recheck(ssl.engine().getSession());
            if (stale.isPresent()) {
                log.warn("refused a connection from {}: TLS session: {}", ctx.channel().remoteAddress(), stale.get());
                refusals.report(SecurityEvent.Type.PEER_AUTHN_REFUSED, Optional.empty(), ctx.channel().remoteAddress(),
                        "TLS session: " + stale.get());
                ctx.close();
                return;
            }
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
            Optional<String> refused = admission.refuseIngress(peer, (InetSocketAddress) ctx.channel().remoteAddress(), ctx.channel());
            if (refused.isPresent()) {
                log.warn("refused a connection from {} ({}): {}", ctx.channel().remoteAddress(), peer, refused.get());
                refusals.report(SecurityEvent.Type.NETPOL_INGRESS_DENIED, Optional.of(peer), ctx.channel().remoteAddress(),
                        refused.get());
                ctx.close();
                return;
            }
            ctx.channel().attr(PeerIdentity.KEY).set(new PeerIdentity(peer, ForwardedClientCert.value(self, leaf, peer), sni));
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.warn("refused a connection from {}: {}", ctx.channel().remoteAddress(), TlsFailures.reason(cause));
            ctx.close();
        }
    }

    /**
     * Looks at the first byte: a TLS handshake record gets the mTLS pipeline; anything else is plain text,
     * served only where PeerAuthentication allows it (PERMISSIVE or DISABLE) and NetworkPolicy lets the
     * address in, else closed with the reason logged.
     */
    private static final class TransportSniffer extends ByteToMessageDecoder {
        private static final int TLS_HANDSHAKE = 0x16;
        private final MeshTls tls;
        private final SpiffeId self;
        private final SnapshotHolder.Source chains;
        private final ProxyLimits limits;
        private final ConnectionAdmission admission;
        private final Refusals refusals;
        private final PeerStreams peerStreams;

        TransportSniffer(MeshTls tls, SpiffeId self, SnapshotHolder.Source chains, ProxyLimits limits, ConnectionAdmission admission,
                Refusals refusals, PeerStreams peerStreams) {
            this.tls = tls;
            this.self = self;
            this.chains = chains;
            this.limits = limits;
            this.admission = admission;
            this.refusals = refusals;
            this.peerStreams = peerStreams;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            // a connection that says nothing is closed as one that never finishes its handshake would be
            ctx.executor().schedule(() -> {
                if (ctx.pipeline().get(TransportSniffer.class) == this) {
                    log.warn("refused a connection from {}: nothing sent within {} ms", ctx.channel().remoteAddress(),
                            limits.connectTimeout().toMillis());
                    ctx.close();
                }
            }, limits.connectTimeout().toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
            if (!in.isReadable()) {
                return;
            }
            ChannelPipeline pipeline = ctx.pipeline();
            if (in.getUnsignedByte(in.readerIndex()) == TLS_HANDSHAKE) {
                SslHandler ssl = tls.newServerHandler(ctx.alloc());
                ssl.setHandshakeTimeoutMillis(limits.connectTimeout().toMillis());
                pipeline.addAfter(ctx.name(), "alpn-offer", new AlpnOfferCheck(MeshTls.SERVED_PROTOCOLS, (c, reason) -> {
                    log.warn("refused a connection from {}: TLS handshake: {}", c.channel().remoteAddress(), reason);
                    refusals.report(SecurityEvent.Type.PEER_AUTHN_REFUSED, Optional.empty(), c.channel().remoteAddress(),
                            "TLS handshake: " + reason);
                    c.pipeline().remove(PeerCapture.class); // reported here: the handshake that never starts is no news
                }));
                pipeline.addAfter("alpn-offer", "tls", ssl);
                pipeline.addAfter("tls", "peer", new PeerCapture(tls, self, admission, refusals));
                pipeline.addAfter("peer", "tls-end", new TlsSessionEnd());
                pipeline.addAfter("tls-end", "alpn", new ApplicationProtocolNegotiationHandler(ApplicationProtocolNames.HTTP_1_1) {
                    @Override
                    protected void configurePipeline(ChannelHandlerContext alpn, String protocol) {
                        // the peer was read when the handshake completed, before this runs
                        Optional<StreamAdmission> streams = peerStreams.of(alpn.channel());
                        if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
                            ServerPipelines.http2(alpn.pipeline(), chains, limits, streams);
                        } else {
                            ServerPipelines.http1(alpn.pipeline(), chains, limits, streams);
                        }
                    }

                    @Override
                    protected void handshakeFailure(ChannelHandlerContext alpn, Throwable cause) {
                        alpn.close(); // PeerCapture logged why
                    }
                });
            } else {
                Optional<ConnectionAdmission.Refusal> refused = admission.refusePlaintext(
                        (InetSocketAddress) ctx.channel().remoteAddress(), ctx.channel());
                if (refused.isPresent()) {
                    log.warn("refused a plain-text connection from {}: {}", ctx.channel().remoteAddress(), refused.get().reason());
                    refusals.report(refused.get().type(), Optional.empty(), ctx.channel().remoteAddress(), refused.get().reason());
                    in.skipBytes(in.readableBytes());
                    ctx.close();
                    return;
                }
                pipeline.addAfter(ctx.name(), "cleartext", new CleartextProtocols(chains, limits));
            }
            pipeline.remove(this); // hands the bytes read so far to what comes next
        }
    }
}
