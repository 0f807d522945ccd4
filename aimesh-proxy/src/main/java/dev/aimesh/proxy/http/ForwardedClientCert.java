package dev.aimesh.proxy.http;

import java.security.cert.X509Certificate;
import io.netty.util.AsciiString;
import dev.aimesh.core.identity.SpiffeId;
import dev.aimesh.identity.x509.Fingerprints;

/**
 * The {@code x-forwarded-client-cert} value Envoy sends to the app: who received the connection, the
 * hash of the client certificate and the client's SPIFFE ID. Computed once per connection.
 */
public final class ForwardedClientCert {
    /** An AsciiString, so that header maps need not hash the name anew on every request. */
    public static final AsciiString HEADER = AsciiString.cached("x-forwarded-client-cert");

    private ForwardedClientCert() {}

    public static String value(SpiffeId self, X509Certificate peerLeaf, SpiffeId peer) {
        return "By=" + self + ";Hash=" + Fingerprints.certificateSha256Hex(peerLeaf) + ";URI=" + peer;
    }
}
