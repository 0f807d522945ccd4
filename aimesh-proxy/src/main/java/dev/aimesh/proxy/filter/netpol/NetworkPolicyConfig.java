package dev.aimesh.proxy.filter.netpol;

import static java.util.Objects.requireNonNull;

import dev.aimesh.proxy.filter.common.SecurityEventSink;

/** What the network-policy filter is built with: where it reports a connection its policy no longer lets in. */
public record NetworkPolicyConfig(SecurityEventSink events) {
    public NetworkPolicyConfig {
        requireNonNull(events, "events");
    }
}
