package dev.aimesh.controlplane.grpc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.InstantSource;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyServerBuilder;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSslCertificateException;
import io.netty.handler.ssl.OpenSslSessionContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;
import dev.aimesh.controlplane.audit.AuditLog;
import dev.aimesh.controlplane.identity.ServingCertificate;
import dev.aimesh.core.identity.TrustDomain;
import dev.aimesh.identity.ca.CertificateAuthority;
import dev.aimesh.identity.tls.PeerPolicy;
import dev.aimesh.identity.tls.SpiffeTrustManager;
import dev.aimesh.identity.tls.SvidKeyManager;

/**
 * The control plane's gRPC endpoint: TLS 1.3 with the control plane's SVID; a client certificate is
 * optional (first contact has none) but, when presented, must be a valid SVID of the trust domain. The
 * CertificateRequest lists every root of the current bundle (the context is rebuilt when the bundle
 * changes), no session is resumed, and every call verifies its caller's certificate again ({@link PeerIdentity}).
 */
public final class GrpcServer implements AutoCloseable {
    /** Generous for a CSR or an ACK, small enough that garbage cannot make the server buffer much. */
    private static final int MAX_MESSAGE_BYTES = 256 * 1024;

    /** BoringSSL where it loads (it costs a fraction of the JDK's CPU per record and per handshake), else the JDK. */
    private static final SslProvider PROVIDER = OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;

    private final Server server;
    private final CertificateAuthority ca;
    private final SpiffeTrustManager trust;
    private final SvidKeyManager keys;
    private volatile BundleContext context;

    /** A server context and the bundle version whose roots it lists as acceptable CAs. */
    private record BundleContext(SslContext ssl, long bundleVersion) {}

    public GrpcServer(InetSocketAddress listen, CertificateAuthority ca, ServingCertificate serving, TrustDomain trustDomain,
            InstantSource clock, AuditLog audit, IdentityGrpcService identity, ConfigGrpcService config, AuditGrpcService auditService) {
        this.ca = ca;
        this.keys = new SvidKeyManager(serving::current);
        SpiffeTrustManager spiffe = new SpiffeTrustManager(ca::bundle, trustDomain, ca::revokedSerials, PeerPolicy.anyMember(), clock);
        // BoringSSL picks the alert from an OpenSslCertificateException's verify error; the JDK from the cause's reason.
        this.trust = PROVIDER == SslProvider.OPENSSL ? spiffe.withRefusals(refused -> new OpenSslCertificateException(
                refused.getMessage(), refused.getCause(), refused.problem().opensslVerifyError)) : spiffe;
        this.context = build();
        PeerIdentity peers = new PeerIdentity(spiffe);
        server = NettyServerBuilder.forAddress(listen)
                .protocolNegotiator(new MeshTlsNegotiator(this::current, new HandshakeRefusals(audit, clock)))
                .maxInboundMessageSize(MAX_MESSAGE_BYTES)
                .maxInboundMetadataSize(16 * 1024)
                .maxConnectionIdle(10, TimeUnit.MINUTES)
                .permitKeepAliveTime(20, TimeUnit.SECONDS)
                .permitKeepAliveWithoutCalls(true)
                .addService(MalformedMessages.guard(ServerInterceptors.intercept(identity, peers), clock))
                .addService(MalformedMessages.guard(ServerInterceptors.intercept(config, peers), clock))
                .addService(MalformedMessages.guard(ServerInterceptors.intercept(auditService, peers), clock))
                .build();
        try {
            server.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen for gRPC on " + listen + ": " + e.getMessage(), e);
        }
    }

    /** The context for the next connection: BoringSSL fixes the acceptable CA names when a context is built. */
    private SslContext current() {
        BundleContext now = context;
        if (now.bundleVersion() != ca.bundle().version()) {
            synchronized (this) {
                if (context.bundleVersion() != ca.bundle().version()) {
                    context = build();
                }
                now = context;
            }
        }
        return now.ssl();
    }

    private BundleContext build() {
        long version = ca.bundle().version();
        try {
            SslContext ssl = GrpcSslContexts.configure(SslContextBuilder.forServer(keys), PROVIDER)
                    .trustManager(trust)
                    .clientAuth(ClientAuth.OPTIONAL)
                    .protocols("TLSv1.3")
                    .build();
            if (ssl.sessionContext() instanceof OpenSslSessionContext sessions) {
                sessions.setSessionCacheEnabled(false);
            }
            return new BundleContext(ssl, version);
        } catch (SSLException e) {
            throw new IllegalStateException("cannot set up TLS for the gRPC server", e);
        }
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) server.getListenSockets().get(0);
    }

    @Override
    public void close() {
        server.shutdown();
        try {
            if (!server.awaitTermination(3, TimeUnit.SECONDS)) {
                server.shutdownNow();
            }
        } catch (InterruptedException e) {
            server.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
