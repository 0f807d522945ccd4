package dev.aimesh.controlplane.tokens;

/** What presenting a join token yields: the workload it was made for, or why it is refused. */
public sealed interface Redemption {
    record Granted(String tokenId, String workload) implements Redemption {}

    record Refused(Reason reason, String detail) implements Redemption {}

    enum Reason {
        MALFORMED("token-malformed"),
        UNKNOWN("token-unknown"),
        EXPIRED("token-expired"),
        ALREADY_USED("token-already-used");

        public final String code;

        Reason(String code) {
            this.code = code;
        }
    }
}
