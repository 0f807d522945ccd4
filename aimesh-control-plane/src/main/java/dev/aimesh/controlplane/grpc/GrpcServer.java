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
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;
import dev.aimesh.controlplane.identity.ServingCertificate;
import dev.aimesh.core.identity.TrustDomain;
import dev.aimesh.identity.ca.CertificateAuthority;
import dev.aimesh.identity.tls.PeerPolicy;
import dev.aimesh.identity.tls.SpiffeTrustManager;
import dev.aimesh.identity.tls.SvidKeyManager;

/**
 * The control plane's gRPC endpoint: TLS 1.3 with the control plane's SVID; a client certificate is
 * optional (first contact has none) but, when presented, must be a valid SVID of the trust domain.
 */
public final class GrpcServer implements AutoCloseable {
    /** Generous for a CSR or an ACK, small enough that garbage cannot make the server buffer much. */
    private static final int MAX_MESSAGE_BYTES = 256 * 1024;

    /** BoringSSL where it loads (it costs a fraction of the JDK's CPU per record and per handshake), else the JDK. */
    private static final SslProvider PROVIDER = OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;

    private final Server server;

    public GrpcServer(InetSocketAddress listen, CertificateAuthority ca, ServingCertificate serving, TrustDomain trustDomain,
            InstantSource clock, IdentityGrpcService identity, ConfigGrpcService config, AuditGrpcService audit) {
        SslContext ssl;
        try {
            ssl = GrpcSslContexts.configure(SslContextBuilder.forServer(new SvidKeyManager(serving::current)), PROVIDER)
                    .trustManager(new SpiffeTrustManager(ca::bundle, trustDomain, ca::revokedSerials, PeerPolicy.anyMember(), clock))
                    .clientAuth(ClientAuth.OPTIONAL)
                    .protocols("TLSv1.3")
                    .build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot set up TLS for the gRPC server", e);
        }
        PeerIdentity peers = new PeerIdentity();
        server = NettyServerBuilder.forAddress(listen)
                .sslContext(ssl)
                .maxInboundMessageSize(MAX_MESSAGE_BYTES)
                .maxInboundMetadataSize(16 * 1024)
                .maxConnectionIdle(10, TimeUnit.MINUTES)
                .permitKeepAliveTime(20, TimeUnit.SECONDS)
                .permitKeepAliveWithoutCalls(true)
                .addService(ServerInterceptors.intercept(identity, peers))
                .addService(ServerInterceptors.intercept(config, peers))
                .addService(ServerInterceptors.intercept(audit, peers))
                .build();
        try {
            server.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen for gRPC on " + listen + ": " + e.getMessage(), e);
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
