package dev.aimesh.core.analysis;

import static java.util.Objects.requireNonNull;

import dev.aimesh.core.config.Position;

/** One thing {@code aimesh analyze} reports about a config: where, what, and how much it matters. */
public record Finding(Severity severity, Position position, String subject, String message) {
    public enum Severity { WARNING, INFO }

    public Finding {
        requireNonNull(severity, "severity");
        requireNonNull(position, "position");
        requireNonNull(subject, "subject");
        requireNonNull(message, "message");
    }

    @Override
    public String toString() {
        return position + ": " + severity.name().toLowerCase(java.util.Locale.ROOT) + ": " + subject + ": " + message;
    }
}
