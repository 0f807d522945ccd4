package dev.aimesh.proxy.agent;

import java.net.InetSocketAddress;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;
import javax.net.ssl.X509ExtendedTrustManager;
import io.grpc.ManagedChannel;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;
import dev.aimesh.core.identity.MeshIdentities;
import dev.aimesh.core.identity.TrustDomain;
import dev.aimesh.identity.tls.PeerPolicy;
import dev.aimesh.identity.tls.PinnedRootTrustManager;
import dev.aimesh.identity.tls.SpiffeTrustManager;
import dev.aimesh.identity.tls.SvidKeyManager;
import dev.aimesh.identity.x509.TrustBundle;
import dev.aimesh.identity.x509.X509Svid;

/** gRPC channels to the control plane: the first-contact one (pinned root, no client certificate) and mTLS. */
public final class ControlPlaneChannels {
    /**
     * The largest message taken from the control plane: a whole snapshot of a large mesh (about 250 bytes per
     * workload, plus its config files) is far above gRPC's 4 MiB default. The sender is the authenticated
     * control plane, which is trusted with the whole config anyway.
     */
    static final int MAX_SNAPSHOT_BYTES = 128 * 1024 * 1024;

    /** BoringSSL where it loads (it costs a fraction of the JDK's CPU per record and per handshake), else the JDK. */
    private static final SslProvider PROVIDER = OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;

    private ControlPlaneChannels() {}

    /** First contact: trusts the control plane through the join token's root pins; presents no certificate. */
    public static ManagedChannel bootstrap(InetSocketAddress address, List<String> rootPins, InstantSource clock) {
        return channel(address, context(null, new PinnedRootTrustManager(rootPins, clock)));
    }

    /** Renewal and config: presents the current SVID and expects the control plane's SVID from the bundle. */
    public static ManagedChannel mutualTls(InetSocketAddress address, Supplier<X509Svid> svid, Supplier<TrustBundle> bundle,
            TrustDomain trustDomain, InstantSource clock) {
        SpiffeTrustManager trust = new SpiffeTrustManager(bundle, trustDomain, java.util.Set::of,
                PeerPolicy.only(MeshIdentities.controlPlane(trustDomain)), clock);
        return channel(address, context(new SvidKeyManager(svid), trust));
    }

    private static SslContext context(SvidKeyManager keys, X509ExtendedTrustManager trust) {
        try {
            SslContextBuilder builder = GrpcSslContexts.configure(SslContextBuilder.forClient(), PROVIDER)
                    .trustManager(trust)
                    // SVIDs carry a URI SAN only: the trust manager checks the SPIFFE ID instead of a host name.
                    .endpointIdentificationAlgorithm(null)
                    .protocols("TLSv1.3");
            if (keys != null) {
                builder.keyManager(keys);
            }
            return builder.build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot set up TLS to the control plane", e);
        }
    }

    private static ManagedChannel channel(InetSocketAddress address, SslContext ssl) {
        return NettyChannelBuilder.forAddress(address)
                .sslContext(ssl)
                .maxInboundMessageSize(MAX_SNAPSHOT_BYTES)
                .keepAliveTime(30, TimeUnit.SECONDS)
                .keepAliveWithoutCalls(true)
                .build();
    }
}
