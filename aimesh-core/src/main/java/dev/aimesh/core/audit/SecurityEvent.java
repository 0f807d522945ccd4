package dev.aimesh.core.audit;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/**
 * A security decision a proxy reports to the control plane's audit log: what happened ({@link Type}), when,
 * and its facts. Each value is cut to {@link #MAX_FIELD_CHARS}, so a caller's long path or header cannot
 * make an event large; the proxy builds one only for a refusal, never for an allowed request.
 */
public record SecurityEvent(Type type, Instant time, Map<Field, String> fields) {
    /** Longest value kept; longer ones end with {@link #CUT}. */
    public static final int MAX_FIELD_CHARS = 512;
    static final String CUT = "...";

    /** What a proxy refused or noted; {@code refusal} is false for what only notes a decision. */
    public enum Type {
        AUTHZ_DENIED("authz.denied", true),
        AUTHZ_AUDIT("authz.audit", false),
        AUTHZ_DRY_RUN("authz.dry-run", false),
        JWT_REFUSED("jwt.refused", true),
        /** An ambiguous path or model, refused before any policy is read. */
        REQUEST_REFUSED("request.refused", true),
        NETPOL_INGRESS_DENIED("netpol.ingress.denied", true),
        NETPOL_EGRESS_DENIED("netpol.egress.denied", true),
        /** A plain-text caller where mTLS is required, or a TLS handshake (certificate) that failed. */
        PEER_AUTHN_REFUSED("peer-authn.refused", true),
        /** A verified caller over a bound on what one identity may hold at once (its streams across its connections). */
        OVERLOAD_REFUSED("overload.refused", true),
        /** A filter of the proxy failed on a request, which was answered 500 (fails closed for that exchange only). */
        FILTER_FAILED("filter.failed", true),
        /** Data-loss prevention refused a request or ended a response: a finding its policy blocks. */
        DLP_BLOCKED("dlp.blocked", true),
        /** Findings replaced (redacted or masked) in a body that went on. */
        DLP_REDACTED("dlp.redacted", false),
        /** Findings a policy only records. */
        DLP_AUDIT("dlp.audit", false),
        /** A body that went on without being inspected (over the cap, compressed, binary) where the policy lets it. */
        DLP_UNINSPECTED("dlp.uninspected", false),
        /** A request refused (429) because a limit it falls under has no room for it. */
        RATE_LIMITED("ratelimit.refused", true),
        /** A streamed answer ended because the caller's token budget ran out while it streamed. */
        RATE_LIMIT_STREAM_ENDED("ratelimit.stream-ended", true),
        /** How many events the proxy had to drop since its last report (its queue was full). */
        AUDIT_DROPPED("audit.dropped", false);

        public final String code;
        public final boolean refusal;

        Type(String code, boolean refusal) {
            this.code = code;
            this.refusal = refusal;
        }

        public static Optional<Type> of(String code) {
            for (Type t : values()) {
                if (t.code.equals(code)) {
                    return Optional.of(t);
                }
            }
            return Optional.empty();
        }
    }

    /** The facts an event may carry; {@code key} is its name in the audit log. */
    public enum Field {
        METHOD("method"),
        /** The path as the caller sent it (not normalized). */
        PATH("path"),
        /** The caller's SPIFFE ID, or its address when it has none. */
        CALLER("caller"),
        POLICY("policy"),
        RULE("rule"),
        REASON("reason"),
        MODEL("model"),
        /** The workload an outbound call was for. */
        DESTINATION("destination"),
        /** {@code audit.dropped}: how many. */
        COUNT("count"),
        /** The version of the proxy's policy snapshot the decision was made with. */
        CONFIG_VERSION("config_version"),
        /** DLP: the detectors that found something ({@code payment-card,email}). */
        DETECTOR("detector"),
        /** DLP: the body's direction, {@code request} or {@code response}. */
        DIRECTION("direction"),
        /** DLP: where in the body, as byte ranges of what the proxy read ({@code 14-33}). */
        LOCATION("location"),
        /** DLP: a salted hash of each value found (never the value): the same value hashes alike in one proxy's run. */
        VALUE_HASH("value_hash");

        public final String key;

        Field(String key) {
            this.key = key;
        }
    }

    public SecurityEvent {
        requireNonNull(type, "type");
        requireNonNull(time, "time");
        EnumMap<Field, String> kept = new EnumMap<>(Field.class);
        fields.forEach((field, value) -> {
            if (value != null && !value.isEmpty()) {
                kept.put(field, cut(value));
            }
        });
        if (kept.containsKey(Field.COUNT) && !kept.get(Field.COUNT).matches("[0-9]{1,20}")) {
            throw new IllegalArgumentException("count: '" + kept.get(Field.COUNT) + "' (expected: a number)");
        }
        fields = Collections.unmodifiableMap(kept);
    }

    public static SecurityEvent of(Type type, Instant time, Map<Field, String> fields) {
        return new SecurityEvent(type, time, fields);
    }

    /** The count of events a proxy dropped, as the event that reports it. */
    public static SecurityEvent dropped(Instant time, long count) {
        return new SecurityEvent(Type.AUDIT_DROPPED, time, Map.of(Field.COUNT, Long.toString(count)));
    }

    public Optional<String> field(Field field) {
        return Optional.ofNullable(fields.get(field));
    }

    private static String cut(String value) {
        return value.length() <= MAX_FIELD_CHARS ? value : value.substring(0, MAX_FIELD_CHARS - CUT.length()) + CUT;
    }
}
