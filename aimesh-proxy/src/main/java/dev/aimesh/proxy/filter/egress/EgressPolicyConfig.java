package dev.aimesh.proxy.filter.egress;

import static java.util.Objects.requireNonNull;

import dev.aimesh.proxy.filter.common.SecurityEventSink;

/** What the egress filter is built with: where it reports a call its NetworkPolicy forbids. */
public record EgressPolicyConfig(SecurityEventSink events) {
    public EgressPolicyConfig {
        requireNonNull(events, "events");
    }
}
