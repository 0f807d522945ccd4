package dev.aimesh.proxy.tls;

import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;
import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import dev.aimesh.core.identity.SpiffeId;
import dev.aimesh.core.identity.TrustDomain;
import dev.aimesh.identity.tls.PeerPolicy;
import dev.aimesh.identity.tls.SpiffeTrustManager;
import dev.aimesh.identity.x509.TrustBundle;
import dev.aimesh.identity.x509.X509Svid;

/**
 * The TLS contexts between proxies: a server context (client certificate required, any member of the
 * trust domain) and, per destination identity, a client context that accepts only that identity. Both
 * present the current SVID; {@link #svidChanged} rebuilds them so new connections use a renewed SVID
 * while open ones keep theirs. BoringSSL when available, the JDK otherwise.
 */
public final class MeshTls {
    /** ALPN between proxies: HTTP/2 preferred; HTTP/1.1 for clients such as curl without h2. */
    private static final ApplicationProtocolConfig ALPN = new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
            ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1);

    private final Supplier<X509Svid> svid;
    private final Supplier<TrustBundle> bundle;
    private final TrustDomain trustDomain;
    private final InstantSource clock;
    private final List<String> protocols;
    private final SslProvider provider;
    private volatile SslContext server;
    private final Map<SpiffeId, SslContext> clients = new ConcurrentHashMap<>();

    /** @param allowTls12 accept TLS 1.2 as well as 1.3 (off by default) */
    public MeshTls(Supplier<X509Svid> svid, Supplier<TrustBundle> bundle, TrustDomain trustDomain, InstantSource clock,
            boolean allowTls12) {
        this.svid = svid;
        this.bundle = bundle;
        this.trustDomain = trustDomain;
        this.clock = clock;
        this.protocols = allowTls12 ? List.of("TLSv1.3", "TLSv1.2") : List.of("TLSv1.3");
        this.provider = OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
        this.server = buildServer();
    }

    public String providerName() {
        return provider == SslProvider.OPENSSL ? "BoringSSL " + OpenSsl.versionString() : "JDK";
    }

    public SslContext server() {
        return server;
    }

    /** A client context that accepts only {@code destination} as the server. */
    public SslContext clientFor(SpiffeId destination) {
        return clients.computeIfAbsent(destination, this::buildClient);
    }

    /** Called after a renewal: new handshakes present the new SVID. */
    public void svidChanged() {
        server = buildServer();
        clients.clear();
    }

    private SpiffeTrustManager trust(PeerPolicy policy) {
        return new SpiffeTrustManager(bundle, trustDomain, java.util.Set::of, policy, clock);
    }

    private SslContext buildServer() {
        X509Svid current = svid.get();
        try {
            return SslContextBuilder.forServer(current.privateKey(), current.chain())
                    .sslProvider(provider)
                    .trustManager(trust(PeerPolicy.anyMember()))
                    .clientAuth(ClientAuth.REQUIRE)
                    .protocols(protocols)
                    .ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                    .applicationProtocolConfig(ALPN)
                    .build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot build the inbound TLS context", e);
        }
    }

    private SslContext buildClient(SpiffeId destination) {
        X509Svid current = svid.get();
        try {
            return SslContextBuilder.forClient()
                    .sslProvider(provider)
                    .keyManager(current.privateKey(), current.chain())
                    .trustManager(trust(PeerPolicy.only(destination)))
                    // SVIDs carry only a URI SAN: the trust manager checks the SPIFFE ID instead of a host name.
                    .endpointIdentificationAlgorithm(null)
                    .protocols(protocols)
                    .ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                    .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, ApplicationProtocolNames.HTTP_2))
                    .build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot build the outbound TLS context for " + destination, e);
        }
    }
}
