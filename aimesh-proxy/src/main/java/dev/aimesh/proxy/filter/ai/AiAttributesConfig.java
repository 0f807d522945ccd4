package dev.aimesh.proxy.filter.ai;

import static java.util.Objects.requireNonNull;

import dev.aimesh.proxy.filter.common.SecurityEventSink;

/**
 * What the AI-attributes filter is built with.
 *
 * @param maxBodyBytes how much of a body is held to find the model it names (a JSON body over it is refused
 *     with 413 {@code model-body-too-large} when a rule needs the model; another kind leaves it undetermined)
 * @param events where an ambiguous path or model is reported
 */
public record AiAttributesConfig(int maxBodyBytes, SecurityEventSink events) {
    /** The cap aimesh uses: 1 MiB, more than any chat request but a small part of the proxy's body limit. */
    public static final int DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

    public AiAttributesConfig {
        if (maxBodyBytes < 1 || maxBodyBytes > 64 * 1024 * 1024) {
            throw new IllegalArgumentException("maxBodyBytes: " + maxBodyBytes + " (expected: 1..67108864)");
        }
        requireNonNull(events, "events");
    }

    public static AiAttributesConfig defaults(SecurityEventSink events) {
        return new AiAttributesConfig(DEFAULT_MAX_BODY_BYTES, events);
    }
}
