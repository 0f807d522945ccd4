package dev.aimesh.identity.tls;

/** How a refused handshake or a broken TLS session is named in a log line or an audit event. */
public final class TlsFailures {
    private TlsFailures() {}

    /**
     * The innermost message of the cause chain: SslHandler, gRPC and the JDK wrap the exception that names the
     * problem ("the certificate of spiffe://... expired at ...") in ones that say only that a handshake failed.
     */
    public static String reason(Throwable cause) {
        String reason = cause.toString();
        for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t.getMessage() != null) {
                reason = t.getMessage();
            }
        }
        return reason;
    }
}
