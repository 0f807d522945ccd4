package dev.aimesh.proxy.filter.authn;

import static java.util.Objects.requireNonNull;

import dev.aimesh.proxy.filter.common.SecurityEventSink;

/** What the request-authentication filter is built with: where it reports a refused token. */
public record RequestAuthenticationConfig(SecurityEventSink events) {
    public RequestAuthenticationConfig {
        requireNonNull(events, "events");
    }
}
