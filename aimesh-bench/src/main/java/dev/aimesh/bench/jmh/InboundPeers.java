package dev.aimesh.bench.jmh;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import dev.aimesh.proxy.filter.PeerIdentity;

/** Puts a verified peer on a channel as the inbound listener's handshake step does, without a handshake. */
final class InboundPeers {
    private static final AttributeKey<PeerIdentity> KEY = PeerIdentity.KEY;

    private InboundPeers() {}

    static void attach(Channel channel, PeerIdentity peer) {
        channel.attr(KEY).set(peer);
    }
}
