package dev.aimesh.identity.ca;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Optional;

/**
 * A root rotation in progress. {@link Phase#PREPARED}: the new root is in the bundle, the old one still
 * signs, waiting until every proxy has the new bundle. {@link Phase#SWITCHED}: the new root signs; the
 * old one stays in the bundle until {@code retireAt}, when the last SVID it signed has expired.
 */
public record RootRotation(String from, String to, Phase phase, Instant startedAt, Optional<Instant> switchedAt,
        Optional<Instant> retireAt) {
    public enum Phase { PREPARED, SWITCHED }

    public RootRotation {
        requireNonNull(from, "from");
        requireNonNull(to, "to");
        requireNonNull(phase, "phase");
        requireNonNull(startedAt, "startedAt");
        requireNonNull(switchedAt, "switchedAt");
        requireNonNull(retireAt, "retireAt");
    }

    RootRotation switched(Instant at, Instant retire) {
        return new RootRotation(from, to, Phase.SWITCHED, startedAt, Optional.of(at), Optional.of(retire));
    }
}
