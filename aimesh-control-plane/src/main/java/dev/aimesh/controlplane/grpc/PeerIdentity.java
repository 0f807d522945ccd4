package dev.aimesh.controlplane.grpc;

import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
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
import dev.aimesh.core.identity.SpiffeId;
import dev.aimesh.identity.x509.SubjectAltNames;

/**
 * Puts the caller's SPIFFE ID, taken from the client certificate the TLS handshake already verified,
 * into the call's context. A caller without a certificate (first contact with a join token) has none.
 */
public final class PeerIdentity implements ServerInterceptor {
    private static final Context.Key<SpiffeId> PEER = Context.key("aimesh-peer-spiffe-id");

    /** The verified caller of the current call, if it presented an SVID. */
    public static Optional<SpiffeId> current() {
        return Optional.ofNullable(PEER.get());
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
        Optional<SpiffeId> peer = session == null ? Optional.empty() : spiffeId(session);
        if (peer.isEmpty()) {
            return next.startCall(call, headers);
        }
        return Contexts.interceptCall(Context.current().withValue(PEER, peer.get()), call, headers, next);
    }

    private static Optional<SpiffeId> spiffeId(SSLSession session) {
        try {
            Certificate[] chain = session.getPeerCertificates();
            if (chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
                return Optional.empty();
            }
            List<String> uris = SubjectAltNames.uris(leaf);
            return uris.size() == 1 ? SpiffeId.tryParse(uris.get(0)) : Optional.empty();
        } catch (SSLPeerUnverifiedException | CertificateParsingException e) {
            return Optional.empty();
        }
    }
}
