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
 * The peer is empty for a plain-text (PERMISSIVE) connection; {@code remoteIp} is the original client's
 * address when known (else the connection's); the path is normalized and without query
 * ({@link dev.aimesh.core.http.RequestPath}); the token is the end user's validated JWT, if any.
 */
public final class AuthzRequest {
    private final Optional<SpiffeId> peer;
    private final Optional<String> principal;
    private final Optional<String> sourceNamespace;
    private final byte[] sourceIp;
    private final byte[] remoteIp;
    private final byte[] destinationIp;
    private final int destinationPort;
    private final String sni;
    private final String host;
    private final String method;
    private final String path;
    private final Headers headers;
    private final Optional<Token> token;
    private final ModelCall model;
    private final Instant time;

    private AuthzRequest(Builder b) {
        this.peer = requireNonNull(b.peer, "peer");
        this.principal = peer.map(SpiffeId::principal);
        this.sourceNamespace = peer.flatMap(SpiffeId::namespace);
        this.sourceIp = b.sourceIp;
        this.remoteIp = b.remoteIp == null ? b.sourceIp : b.remoteIp;
        this.destinationIp = b.destinationIp;
        this.destinationPort = b.destinationPort;
        this.sni = b.sni == null ? "" : b.sni;
        this.host = requireNonNull(b.host, "host");
        this.method = requireNonNull(b.method, "method");
        this.path = requireNonNull(b.path, "path");
        this.headers = requireNonNull(b.headers, "headers");
        this.token = requireNonNull(b.token, "token");
        this.model = requireNonNull(b.model, "model");
        this.time = requireNonNull(b.time, "time");
    }

    public Optional<SpiffeId> peer() { return peer; }
    public byte[] sourceIp() { return sourceIp; }
    public byte[] remoteIp() { return remoteIp; }
    public byte[] destinationIp() { return destinationIp; }
    public int destinationPort() { return destinationPort; }
    public String sni() { return sni; }
    public String host() { return host; }
    public String method() { return method; }
    public String path() { return path; }
    public Headers headers() { return headers; }
    public Optional<Token> token() { return token; }
    public ModelCall model() { return model; }
    public Instant time() { return time; }

    /** Request headers by lower-case name, so the proxy need not copy them. */
    @FunctionalInterface
    public interface Headers {
        String get(String lowerCaseName);
    }

    /** A verified end-user token: {@code iss/sub} as Istio's request principal, and its claims. */
    public record Token(String issuer, String subject, List<String> audiences, String presenter, Map<String, Object> claims) {
        public Token {
            audiences = List.copyOf(audiences);
            claims = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(claims)); // JSON may hold nulls
            presenter = presenter == null ? "" : presenter;
        }

        public String principal() {
            return issuer + "/" + subject;
        }
    }

    /** The peer's principal in Istio's form: the SPIFFE ID without {@code spiffe://}. */
    public Optional<String> principal() {
        return principal;
    }

    /** The namespace in the peer's {@code /ns/<namespace>/sa/<account>} ID. */
    public Optional<String> sourceNamespace() {
        return sourceNamespace;
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
            return new AuthzRequest(this);
        }
    }
}
