package dev.aimesh.core.config;

import static java.util.Objects.requireNonNull;

/**
 * One problem found in a config file, shaped for a person:
 * {@code policies/models.yaml:14:9: spec.rules[0].to[0].operation.methods[1]: 'GTE' is not an HTTP method}.
 */
public record Diagnostic(Position position, String field, String message) {
    public Diagnostic {
        requireNonNull(position, "position");
        requireNonNull(field, "field");
        requireNonNull(message, "message");
    }

    @Override
    public String toString() {
        return field.isEmpty() ? position + ": " + message : position + ": " + field + ": " + message;
    }
}
