package dev.aimesh.core.authz;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;

/**
 * The outcome of authorization for one request, as a value: allowed or not, the policy and rule that
 * decided (none when a default decided), a reason a person can read, the AUDIT policies that matched, and
 * what the dry-run policies would have decided had they been enforced.
 */
public record AuthzDecision(boolean allowed, Optional<String> policy, int rule, String reason, List<String> audited,
        Optional<AuthzDecision> dryRun) {
    public AuthzDecision {
        requireNonNull(policy, "policy");
        requireNonNull(reason, "reason");
        audited = List.copyOf(audited);
        requireNonNull(dryRun, "dryRun");
    }

    static AuthzDecision byRule(boolean allowed, String policy, int rule) {
        return new AuthzDecision(allowed, Optional.of(policy), rule, (allowed ? "allowed by ALLOW" : "denied by DENY")
                + " policy " + policy + ", rule " + rule, List.of(), Optional.empty());
    }

    static AuthzDecision byDefault(boolean allowed, String reason) {
        return new AuthzDecision(allowed, Optional.empty(), -1, reason, List.of(), Optional.empty());
    }

    AuthzDecision with(List<String> audited, Optional<AuthzDecision> dryRun) {
        return new AuthzDecision(allowed, policy, rule, reason, audited, dryRun);
    }

    /** "allow" or "deny". */
    public String verdict() {
        return allowed ? "allow" : "deny";
    }
}
