package dev.aimesh.core.netpol;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;

/**
 * Whether network policy lets a connection through, as a value, with what decided it.
 *
 * @param verdict why it passed or did not
 * @param policy the policy whose rule allowed it, {@code namespace/name}; empty otherwise
 * @param rule the index of that rule in the policy's {@code ingress} or {@code egress} list; -1 otherwise
 * @param selectedBy the policies of this direction that select the workload (empty when not selected)
 */
public record NetworkPolicyDecision(Verdict verdict, Optional<String> policy, int rule, List<String> selectedBy) {
    public NetworkPolicyDecision {
        requireNonNull(verdict, "verdict");
        requireNonNull(policy, "policy");
        selectedBy = List.copyOf(selectedBy);
    }

    public enum Verdict {
        /** No policy of this direction selects the workload: Kubernetes leaves it open. */
        NOT_SELECTED,
        /** A rule of a selecting policy allows the connection. */
        ALLOWED,
        /** Selected, and no rule of any selecting policy allows it. */
        NO_POLICY_ALLOWS
    }

    static NetworkPolicyDecision notSelected() {
        return new NetworkPolicyDecision(Verdict.NOT_SELECTED, Optional.empty(), -1, List.of());
    }

    static NetworkPolicyDecision allowedBy(String policy, int rule, List<String> selectedBy) {
        return new NetworkPolicyDecision(Verdict.ALLOWED, Optional.of(policy), rule, selectedBy);
    }

    static NetworkPolicyDecision noPolicyAllows(List<String> selectedBy) {
        return new NetworkPolicyDecision(Verdict.NO_POLICY_ALLOWS, Optional.empty(), -1, selectedBy);
    }

    public boolean allowed() {
        return verdict != Verdict.NO_POLICY_ALLOWS;
    }

    /** A line for logs. */
    public String reason() {
        return switch (verdict) {
            case NOT_SELECTED -> "not selected by any policy";
            case ALLOWED -> "allowed by policy " + policy.orElseThrow() + ", rule " + rule;
            case NO_POLICY_ALLOWS -> "no policy allows (selected by " + String.join(", ", selectedBy) + ")";
        };
    }
}
