package dev.aimesh.proxy.net;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.timeout.IdleStateHandler;
import java.time.Duration;
import java.util.function.Consumer;

/** Binds a listener whose connections close when idle, counted in {@code accepted}; {@code pipeline} adds the rest. */
public final class Listeners {
    private Listeners() {}

    public static Channel bind(InetSocketAddress listen, EventLoops loops, Duration idleTimeout, TrafficCounters accepted,
            Consumer<Channel> pipeline) {
        Channel server = new ServerBootstrap().group(loops.group()).channel(loops.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        accepted.connectionOpened();
                        loops.track(ch);
                        ChannelPipeline p = ch.pipeline();
                        p.addLast("idle", new IdleStateHandler(0, 0, idleTimeout.toMillis(), TimeUnit.MILLISECONDS));
                        p.addLast("idle-close", new IdleCloser());
                        pipeline.accept(ch);
                    }
                })
                .bind(listen).syncUninterruptibly().channel();
        loops.track(server);
        return server;
    }
}
