package dev.aimesh.bench.jmh;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import dev.aimesh.proxy.inbound.PeerIdentity;

/** Puts a verified peer on a channel as the inbound listener's handshake step does, without a handshake. */
final class InboundPeers {
    // The listener's key is package-private; AttributeKey.valueOf returns that same key for its name.
    private static final AttributeKey<PeerIdentity> KEY = AttributeKey.valueOf("aimesh.peer");

    private InboundPeers() {}

    static void attach(Channel channel, PeerIdentity peer) {
        channel.attr(KEY).set(peer);
        if (PeerIdentity.of(channel) != peer) {
            throw new IllegalStateException("PeerIdentity no longer uses the attribute 'aimesh.peer'; update InboundPeers");
        }
    }
}
