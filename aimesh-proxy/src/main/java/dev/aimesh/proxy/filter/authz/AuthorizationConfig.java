package dev.aimesh.proxy.filter.authz;

import static java.util.Objects.requireNonNull;

import java.time.InstantSource;
import dev.aimesh.proxy.filter.common.SecurityEventSink;

/**
 * What the authorization filter is built with.
 *
 * @param destinationPort the model server's port, which {@code ports} and {@code destination.port} name (0: none)
 * @param clock what {@code request.time} rules read
 * @param events where denials, AUDIT matches and differing dry-run verdicts are reported
 */
public record AuthorizationConfig(int destinationPort, InstantSource clock, SecurityEventSink events) {
    public AuthorizationConfig {
        if (destinationPort < 0 || destinationPort > 65535) {
            throw new IllegalArgumentException("destinationPort: " + destinationPort + " (expected: 0..65535)");
        }
        requireNonNull(clock, "clock");
        requireNonNull(events, "events");
    }
}
