package dev.aimesh.proxy.tls;

import java.time.InstantSource;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;
import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslCertificateException;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import dev.aimesh.core.identity.SpiffeId;
import dev.aimesh.core.identity.TrustDomain;
import dev.aimesh.identity.tls.PeerPolicy;
import dev.aimesh.identity.tls.SpiffeTrustManager;
import dev.aimesh.identity.tls.SvidKeyManager;
import dev.aimesh.identity.x509.TrustBundle;
import dev.aimesh.identity.x509.X509SvidVerifier;
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

    /** What the inbound serves, in ALPN's names. */
    public static final List<String> SERVED_PROTOCOLS = List.of(ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1);

    private final Supplier<X509Svid> svid;
    private final Supplier<TrustBundle> bundle;
    private final TrustDomain trustDomain;
    private final InstantSource clock;
    private final List<String> protocols;
    private final SslProvider provider;
    private volatile ServerContext server;
    private final SpiffeTrustManager serverTrust;
    private final Map<SpiffeId, SslContext> clients = new ConcurrentHashMap<>();

    /** The server context and the bundle version whose roots its CertificateRequest lists. */
    private record ServerContext(SslContext context, long bundleVersion) {}

    /** @param allowTls12 accept TLS 1.2 as well as 1.3 (off by default) */
    public MeshTls(Supplier<X509Svid> svid, Supplier<TrustBundle> bundle, TrustDomain trustDomain, InstantSource clock,
            boolean allowTls12) {
        this(svid, bundle, trustDomain, clock, allowTls12, OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK);
    }

    /** With a chosen TLS provider (tests run both). */
    public MeshTls(Supplier<X509Svid> svid, Supplier<TrustBundle> bundle, TrustDomain trustDomain, InstantSource clock,
            boolean allowTls12, SslProvider provider) {
        this.svid = svid;
        this.bundle = bundle;
        this.trustDomain = trustDomain;
        this.clock = clock;
        this.protocols = allowTls12 ? List.of("TLSv1.3", "TLSv1.2") : List.of("TLSv1.3");
        this.provider = provider;
        this.serverTrust = trust(PeerPolicy.anyMember());
        this.server = buildServer();
    }

    public String providerName() {
        return provider == SslProvider.OPENSSL ? "BoringSSL " + OpenSsl.versionString() : "JDK";
    }

    /**
     * The context for the next inbound handshake. Its CertificateRequest lists the roots of the current bundle
     * as acceptable CAs (BoringSSL fixes that list when a context is built), so a new bundle gets a new context:
     * a proxy whose SVID comes from a root that just joined must see that root listed, or it sends no certificate.
     */
    public SslContext server() {
        ServerContext current = server;
        if (current.bundleVersion() != bundle.get().version()) {
            synchronized (this) {
                if (server.bundleVersion() != bundle.get().version()) {
                    server = buildServer();
                }
                current = server;
            }
        }
        return current.context();
    }

    /** The TLS handler of one inbound connection: the current server context, never resuming a session. */
    public SslHandler newServerHandler(ByteBufAllocator alloc) {
        return SessionResumption.withoutTickets(server().newHandler(alloc));
    }

    /** A client context that accepts only {@code destination} as the server. */
    public SslContext clientFor(SpiffeId destination) {
        return clients.computeIfAbsent(destination, this::buildClient);
    }

    /**
     * Verifies a peer again once its handshake has completed, against the clock and the current bundle: a
     * resumed session never reaches the trust manager, and the JDK provider resumes TLS 1.3 sessions from
     * tickets it cannot be told not to issue. Returns why the peer is refused, or empty.
     */
    public Optional<String> recheck(SSLSession session) {
        try {
            Certificate[] presented = session.getPeerCertificates();
            X509Certificate[] chain = Arrays.copyOf(presented, presented.length, X509Certificate[].class);
            serverTrust.verify(chain, X509SvidVerifier.Role.CLIENT);
            return Optional.empty();
        } catch (SSLPeerUnverifiedException e) {
            return Optional.of("the peer presented no certificate");
        } catch (CertificateException | ArrayStoreException e) {
            return Optional.of(e.getMessage());
        }
    }

    /** Called after a renewal: new handshakes present the new SVID. */
    public synchronized void svidChanged() {
        server = buildServer();
        clients.clear();
    }

    private SpiffeTrustManager trust(PeerPolicy policy) {
        SpiffeTrustManager trust = new SpiffeTrustManager(bundle, trustDomain, java.util.Set::of, policy, clock);
        // BoringSSL picks the alert from an OpenSslCertificateException's verify error; the JDK from the cause's reason.
        return provider == SslProvider.OPENSSL ? trust.withRefusals(refused -> new OpenSslCertificateException(
                refused.getMessage(), refused.getCause(), refused.problem().opensslVerifyError)) : trust;
    }

    private ServerContext buildServer() {
        X509Svid current = svid.get();
        long bundleVersion = bundle.get().version();
        try {
            SslContext context = SslContextBuilder.forServer(current.privateKey(), current.chain())
                    .sslProvider(provider)
                    .trustManager(serverTrust)
                    .clientAuth(ClientAuth.REQUIRE)
                    .protocols(protocols)
                    .ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                    .applicationProtocolConfig(ALPN)
                    .build();
            SessionResumption.disable(context);
            return new ServerContext(context, bundleVersion);
        } catch (SSLException e) {
            throw new IllegalStateException("cannot build the inbound TLS context", e);
        }
    }

    private SslContext buildClient(SpiffeId destination) {
        try {
            return SslContextBuilder.forClient()
                    .sslProvider(provider)
                    // Our SVID whatever CA names the server lists: it is the only one we have, and the server's
                    // trust manager decides (a server still listing only the old root must not make us mute).
                    .keyManager(new SvidKeyManager(svid))
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
