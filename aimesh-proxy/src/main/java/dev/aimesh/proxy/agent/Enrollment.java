package dev.aimesh.proxy.agent;

import java.util.Optional;
import dev.aimesh.core.identity.JoinToken;

/**
 * How a starting proxy gets its identity. A valid stored state wins over a join token: a token is
 * single-use, so the one a restarted proxy is still given (say, in its environment) was spent on its
 * first start. An expired state needs a token; a corrupt or tampered one is refused even with a token,
 * until an operator has looked and removed it.
 */
public sealed interface Enrollment {
    /** Take up the stored identity and enforce the stored snapshot at once (if there is one this version reads). */
    record Resume(StateDirectory.Stored.Usable state, String why) implements Enrollment {}

    /** Present the join token to the control plane. */
    record Join(JoinToken token, String why) implements Enrollment {}

    /** Start nothing: the reason says what to do. */
    record Refused(String reason) implements Enrollment {}

    static Enrollment decide(StateDirectory.Stored stored, Optional<JoinToken> token) {
        return switch (stored) {
            case StateDirectory.Stored.Usable usable -> new Resume(usable, "resuming from " + usable.dir() + " (SVID valid until "
                    + usable.svid().expiresAt() + ", " + usable.snapshot().map(s -> "snapshot " + s.version())
                            .orElse("no snapshot") + ")" + usable.note().map(n -> "; " + n).orElse("")
                    + (token.isPresent() ? "; the join token given is not used (remove the directory to join afresh)" : ""));
            case StateDirectory.Stored.Empty empty -> token.<Enrollment>map(t -> new Join(t, empty.why()))
                    .orElseGet(() -> new Refused("a join token is required: " + empty.why()));
            case StateDirectory.Stored.Expired expired -> token.<Enrollment>map(t -> new Join(t, "the SVID in " + expired.file()
                            + " expired at " + expired.expiredAt() + "; joining again"))
                    .orElseGet(() -> new Refused("the SVID in " + expired.file() + " expired at " + expired.expiredAt()
                            + "; a join token is required to join again"));
            case StateDirectory.Stored.Unusable unusable -> new Refused(unusable.file() + ": " + unusable.reason()
                    + "; refusing to start from this state (remove " + unusable.file().getParent() + " to join afresh with a token)");
        };
    }
}
