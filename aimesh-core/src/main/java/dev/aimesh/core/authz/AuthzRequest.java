package dev.aimesh.core.authz;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import dev.aimesh.core.ai.ModelCall;
import dev.aimesh.core.identity.SpiffeId;

/**
 * What authorization knows of one request: the verified peer, the connection, the request head (with the
 * normalized path), the end user's verified token, the model call and the time. Built once per request by
 * the proxy (or by {@code aimesh check}) and read by every rule.
 *
 * @param peer the verified peer's SPIFFE ID, empty for a plain-text (PERMISSIVE) connection
 * @param sourceIp the address the connection came from; {@code remoteIp} the original client's, when known
 * @param path the normalized path without query ({@link dev.aimesh.core.http.RequestPath})
 * @param headers looks up a request header by lower-case name; null when absent
 * @param token the end user's validated JWT, empty when the request carried none
 */
public record AuthzRequest(Optional<SpiffeId> peer, byte[] sourceIp, byte[] remoteIp, byte[] destinationIp,
        int destinationPort, String sni, String host, String method, String path, Headers headers,
        Optional<Token> token, ModelCall model, Instant time) {
    public AuthzRequest {
        requireNonNull(peer, "peer");
        requireNonNull(host, "host");
        requireNonNull(method, "method");
        requireNonNull(path, "path");
        requireNonNull(headers, "headers");
        requireNonNull(token, "token");
        requireNonNull(model, "model");
        requireNonNull(time, "time");
        sni = sni == null ? "" : sni;
    }

    /** Request headers by lower-case name, so the proxy need not copy them. */
    @FunctionalInterface
    public interface Headers {
        String get(String lowerCaseName);
    }

    /** A verified end-user token: {@code iss/sub} as Istio's request principal, and its claims. */
    public record Token(String issuer, String subject, List<String> audiences, String presenter, Map<String, Object> claims) {
        public Token {
            audiences = List.copyOf(audiences);
            claims = Map.copyOf(claims);
            presenter = presenter == null ? "" : presenter;
        }

        public String principal() {
            return issuer + "/" + subject;
        }
    }

    /** The peer's principal in Istio's form: the SPIFFE ID without {@code spiffe://}. */
    public Optional<String> principal() {
        return peer.map(id -> id.toString().substring("spiffe://".length()));
    }

    /** The namespace in the peer's {@code /ns/<namespace>/sa/<account>} ID. */
    public Optional<String> sourceNamespace() {
        return peer.flatMap(id -> {
            String p = id.path();
            if (!p.startsWith("/ns/")) {
                return Optional.empty();
            }
            int end = p.indexOf('/', 4);
            return Optional.of(end < 0 ? p.substring(4) : p.substring(4, end));
        });
    }

    public static Builder builder(String method, String path) {
        return new Builder(method, path);
    }

    /** Builds a request for tests and {@code aimesh check}; unset attributes are absent. */
    public static final class Builder {
        private final String method;
        private final String path;
        private Optional<SpiffeId> peer = Optional.empty();
        private byte[] sourceIp;
        private byte[] remoteIp;
        private byte[] destinationIp;
        private int destinationPort;
        private String sni = "";
        private String host = "";
        private Headers headers = name -> null;
        private Optional<Token> token = Optional.empty();
        private ModelCall model = ModelCall.NONE;
        private Instant time = Instant.EPOCH;

        private Builder(String method, String path) {
            this.method = method;
            this.path = path;
        }

        public Builder peer(Optional<SpiffeId> value) { peer = value; return this; }
        public Builder sourceIp(byte[] value) { sourceIp = value; return this; }
        public Builder remoteIp(byte[] value) { remoteIp = value; return this; }
        public Builder destinationIp(byte[] value) { destinationIp = value; return this; }
        public Builder destinationPort(int value) { destinationPort = value; return this; }
        public Builder sni(String value) { sni = value; return this; }
        public Builder host(String value) { host = value; return this; }
        public Builder headers(Headers value) { headers = value; return this; }
        public Builder token(Optional<Token> value) { token = value; return this; }
        public Builder model(ModelCall value) { model = value; return this; }
        public Builder time(Instant value) { time = value; return this; }

        public AuthzRequest build() {
            return new AuthzRequest(peer, sourceIp, remoteIp == null ? sourceIp : remoteIp, destinationIp, destinationPort,
                    sni, host, method, path, headers, token, model, time);
        }
    }
}
