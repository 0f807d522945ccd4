package dev.aimesh.proxy.filter.peerauthn;

import static java.util.Objects.requireNonNull;

import dev.aimesh.proxy.filter.common.SecurityEventSink;

/** What the peer-authentication filter is built with: where it reports a refused plain-text request. */
public record PeerAuthenticationConfig(SecurityEventSink events) {
    public PeerAuthenticationConfig {
        requireNonNull(events, "events");
    }
}
