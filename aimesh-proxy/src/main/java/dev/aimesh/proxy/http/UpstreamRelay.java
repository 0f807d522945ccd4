package dev.aimesh.proxy.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/**
 * The last handler of an upstream channel, there for the channel's whole life: it hands what the upstream sends
 * to the exchange that holds the channel now, and drops it when none does. An exchange attaches when it leases
 * the channel and detaches before it gives it back, so a pooled connection costs no handler added and removed
 * per request. A pool installs it with the channel; {@link #of} installs it on a channel that has none.
 */
public final class UpstreamRelay extends ChannelInboundHandlerAdapter {
    /** What an exchange does with its upstream's events, on the channel's event loop. */
    public interface Receiver {
        void read(Object msg);

        void readComplete();

        void writabilityChanged(boolean writable);

        void lost(String why);
    }

    private Receiver receiver;

    /** The relay of {@code channel}, installed last in its pipeline if it has none yet. */
    public static UpstreamRelay of(Channel channel) {
        UpstreamRelay relay = channel.pipeline().get(UpstreamRelay.class);
        if (relay == null) {
            relay = new UpstreamRelay();
            channel.pipeline().addLast(relay);
        }
        return relay;
    }

    public void attach(Receiver to) {
        receiver = to;
    }

    public void detach() {
        receiver = null;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (receiver != null) {
            receiver.read(msg);
        } else {
            ReferenceCountUtil.release(msg); // between exchanges: nobody asked for it
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (receiver != null) {
            receiver.readComplete();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (receiver != null) {
            receiver.writabilityChanged(ctx.channel().isWritable());
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (receiver != null) {
            receiver.lost("the upstream closed the connection");
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (receiver != null) {
            receiver.lost(cause.toString());
        }
    }
}
