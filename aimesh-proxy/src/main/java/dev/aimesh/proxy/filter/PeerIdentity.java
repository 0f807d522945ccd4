package dev.aimesh.proxy.filter;

import io.netty.channel.Channel;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.AttributeKey;
import dev.aimesh.core.identity.SpiffeId;

/**
 * The verified peer of an inbound connection, found once at the handshake and kept on the channel, with
 * the server name it asked for (empty when it sent none).
 */
public record PeerIdentity(SpiffeId id, String forwardedClientCert, String sni) {
    public static final AttributeKey<PeerIdentity> KEY = AttributeKey.valueOf("aimesh.peer");

    public PeerIdentity(SpiffeId id, String forwardedClientCert) {
        this(id, forwardedClientCert, "");
    }

    /** The peer of a connection, or of the connection an HTTP/2 stream belongs to. */
    public static PeerIdentity of(Channel channel) {
        return connection(channel).attr(KEY).get();
    }

    /** The connection a channel is, or that an HTTP/2 stream belongs to. */
    public static Channel connection(Channel channel) {
        return channel instanceof Http2StreamChannel ? channel.parent() : channel;
    }
}
