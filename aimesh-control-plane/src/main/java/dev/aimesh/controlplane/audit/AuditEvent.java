package dev.aimesh.controlplane.audit;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Map;

/**
 * One security-relevant event: what happened ({@code type}, e.g. {@code svid.issued}), whether it was
 * allowed, and the facts (identity, token id, reason). Never holds secrets.
 */
public record AuditEvent(Instant time, String type, Outcome outcome, Map<String, String> fields) {
    public enum Outcome { ALLOWED, DENIED, INFO }

    public AuditEvent {
        requireNonNull(time, "time");
        requireNonNull(type, "type");
        requireNonNull(outcome, "outcome");
        fields = Map.copyOf(fields);
    }
}
