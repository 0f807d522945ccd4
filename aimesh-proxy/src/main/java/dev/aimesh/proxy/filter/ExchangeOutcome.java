package dev.aimesh.proxy.filter;

/**
 * How an exchange ended, as metrics, access logs and audit read it.
 *
 * @param status the status the client was sent, or 0 when it got none (the exchange was reset or lost)
 * @param reason who answered: {@code ""} when the upstream did, else the proxy's reason code ({@code rbac-denied})
 * @param requestBytes request body bytes read from the client
 * @param responseBytes response body bytes sent to the client
 * @param totalNanos from the request's head to the exchange's end
 * @param firstResponseNanos from the request's head to the response's head, or -1 when none came
 * @param snapshotVersion the policy version every decision of the exchange was made with
 */
public record ExchangeOutcome(int status, String reason, long requestBytes, long responseBytes, long totalNanos,
        long firstResponseNanos, String snapshotVersion) {
    /** Whether the proxy answered (a refusal, a timeout, an unreachable upstream) rather than the upstream. */
    public boolean answeredByProxy() {
        return !reason.isEmpty();
    }
}
