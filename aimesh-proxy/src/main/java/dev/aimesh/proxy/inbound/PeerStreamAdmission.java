package dev.aimesh.proxy.inbound;

import java.net.SocketAddress;
import java.util.Optional;
import dev.aimesh.core.identity.SpiffeId;
import dev.aimesh.proxy.http.StreamAdmission;

/** The streams of one verified inbound connection, counted with every other connection of the same peer. */
record PeerStreamAdmission(StreamsPerPeer streams, PeerStreamRefusals refusals, SpiffeId peer, SocketAddress remote)
        implements StreamAdmission {
    @Override
    public Optional<Slot> admit(String protocol) {
        Optional<StreamsPerPeer.Slot> slot = streams.tryAcquire(peer);
        if (slot.isEmpty()) {
            refusals.refused(peer, remote, protocol, refusal());
        }
        return slot.map(s -> s::release);
    }

    @Override
    public String refusal() {
        return streams.refusal(peer);
    }
}
