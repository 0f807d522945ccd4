package dev.aimesh.core.audit;

/**
 * The share of the audit trail a kind of security event draws on, at the proxy (its report queue) and at
 * the control plane (its per-proxy rate limit). Each has its own, so a flood of one kind (thousands of
 * failed handshakes from a scanner) cannot crowd out another (the authorization denials of a real caller).
 */
public enum EventBudget {
    /** Authorization decisions: denials, AUDIT matches, dry-run denials, requests refused as ambiguous or by a failed filter. */
    AUTHORIZATION,
    /** Request authentication: refused JWTs. */
    AUTHENTICATION,
    /** NetworkPolicy decisions, ingress and egress. */
    NETWORK_POLICY,
    /** Callers without a verified identity: failed TLS handshakes, plain text where mTLS is required. */
    UNAUTHENTICATED,
    /** A verified caller refused over a bound on what one identity may hold (its streams per peer). */
    OVERLOAD,
    /** Data-loss prevention: blocks, redactions, findings recorded, bodies passed uninspected. */
    DATA_PROTECTION,
    /** Rate limits: refusals and streams ended (a flood of 429s must not crowd out other events). */
    RATE_LIMITS,
    /** The reporter's own accounting: how many events it had to drop. */
    REPORTING;

    public static EventBudget of(SecurityEvent.Type type) {
        return switch (type) {
            case AUTHZ_DENIED, AUTHZ_AUDIT, AUTHZ_DRY_RUN, REQUEST_REFUSED, FILTER_FAILED -> AUTHORIZATION;
            case JWT_REFUSED -> AUTHENTICATION;
            case NETPOL_INGRESS_DENIED, NETPOL_EGRESS_DENIED -> NETWORK_POLICY;
            case PEER_AUTHN_REFUSED -> UNAUTHENTICATED;
            case OVERLOAD_REFUSED -> OVERLOAD;
            case DLP_BLOCKED, DLP_REDACTED, DLP_AUDIT, DLP_UNINSPECTED -> DATA_PROTECTION;
            case RATE_LIMITED, RATE_LIMIT_STREAM_ENDED -> RATE_LIMITS;
            case AUDIT_DROPPED -> REPORTING;
        };
    }
}
