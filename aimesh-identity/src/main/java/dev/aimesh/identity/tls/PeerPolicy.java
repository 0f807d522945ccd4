package dev.aimesh.identity.tls;

import java.util.Optional;
import dev.aimesh.core.identity.SpiffeId;

/** Which verified peers a TLS endpoint accepts: returns the reason to refuse, or empty to accept. */
@FunctionalInterface
public interface PeerPolicy {
    Optional<String> refuse(SpiffeId peer);

    /** Any member of the trust domain (the trust manager already checked membership). */
    static PeerPolicy anyMember() {
        return peer -> Optional.empty();
    }

    /** Exactly one identity, as when a client knows whom it dials. */
    static PeerPolicy only(SpiffeId expected) {
        return peer -> peer.equals(expected) ? Optional.empty()
                : Optional.of("the peer is " + peer + ", expected " + expected);
    }
}
