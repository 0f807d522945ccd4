package dev.aimesh.controlplane.grpc;

import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import dev.aimesh.core.identity.SpiffeId;
import dev.aimesh.identity.tls.SpiffeTrustManager;
import dev.aimesh.identity.x509.SubjectAltNames;
import dev.aimesh.identity.x509.X509SvidVerifier;

/**
 * Puts the caller's SPIFFE ID and certificate into the call's context. The certificate the handshake verified
 * is verified again for every call, against the clock and the current bundle: a connection (or a resumed
 * session) outlives the moment of its handshake, and an identity must not outlive its certificate. A call
 * whose certificate no longer verifies is refused; a caller without a certificate (first contact with a
 * join token) has none.
 */
public final class PeerIdentity implements ServerInterceptor {
    private static final Logger log = LoggerFactory.getLogger(PeerIdentity.class);
    private static final Context.Key<SpiffeId> PEER = Context.key("aimesh-peer-spiffe-id");
    private static final Context.Key<X509Certificate> LEAF = Context.key("aimesh-peer-certificate");

    private final SpiffeTrustManager trust;

    public PeerIdentity(SpiffeTrustManager trust) {
        this.trust = trust;
    }

    /** The verified caller of the current call, if it presented an SVID. */
    public static Optional<SpiffeId> current() {
        return Optional.ofNullable(PEER.get());
    }

    /** The caller's leaf certificate, if it presented one. */
    public static Optional<X509Certificate> currentCertificate() {
        return Optional.ofNullable(LEAF.get());
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
        X509Certificate[] chain = session == null ? new X509Certificate[0] : chain(session);
        if (chain.length == 0) {
            return next.startCall(call, headers);
        }
        try {
            trust.verify(chain, X509SvidVerifier.Role.CLIENT);
        } catch (CertificateException e) {
            log.warn("refused a gRPC call to {} from {}: the client certificate no longer verifies: {}",
                    call.getMethodDescriptor().getFullMethodName(), call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR),
                    e.getMessage());
            call.close(Status.UNAUTHENTICATED.withDescription("the client certificate no longer verifies: " + e.getMessage()),
                    new Metadata());
            return new ServerCall.Listener<>() {};
        }
        Optional<SpiffeId> peer = spiffeId(chain[0]);
        if (peer.isEmpty()) {
            return next.startCall(call, headers);
        }
        Context context = Context.current().withValue(PEER, peer.get()).withValue(LEAF, chain[0]);
        return Contexts.interceptCall(context, call, headers, next);
    }

    private static X509Certificate[] chain(SSLSession session) {
        try {
            Certificate[] presented = session.getPeerCertificates();
            return Arrays.stream(presented).filter(X509Certificate.class::isInstance).toArray(X509Certificate[]::new);
        } catch (SSLPeerUnverifiedException e) {
            return new X509Certificate[0];
        }
    }

    private static Optional<SpiffeId> spiffeId(X509Certificate leaf) {
        try {
            List<String> uris = SubjectAltNames.uris(leaf);
            return uris.size() == 1 ? SpiffeId.tryParse(uris.get(0)) : Optional.empty();
        } catch (CertificateParsingException e) {
            return Optional.empty();
        }
    }
}
