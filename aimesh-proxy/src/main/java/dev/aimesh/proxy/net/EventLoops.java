package dev.aimesh.proxy.net;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;

/**
 * The proxy's event loops: native epoll where Linux offers it, NIO otherwise. Every connection opened or
 * accepted on them is {@link #track tracked} and closed by {@link #close} before the loops stop: Netty
 * leaves a loop's channels open when its shutdown begins while the loop runs a task, and such a socket,
 * never read again, makes a peer that reuses it wait for an answer forever.
 */
public final class EventLoops implements AutoCloseable {
    private static final long CLOSE_WAIT_MILLIS = 2000;
    private final EventLoopGroup group;
    private final boolean epoll;
    /** Removes each channel itself when it closes. */
    private final java.util.concurrent.atomic.AtomicReference<String> died = new java.util.concurrent.atomic.AtomicReference<>();
    private volatile boolean closing;
    private final ChannelGroup channels = new DefaultChannelGroup("aimesh-connections", GlobalEventExecutor.INSTANCE);

    public EventLoops(int threads, String name) {
        this.epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        DefaultThreadFactory threadsOf = new DefaultThreadFactory(name, true);
        this.group = new MultiThreadIoEventLoopGroup(threads, task -> {
            Thread thread = threadsOf.newThread(task);
            thread.setUncaughtExceptionHandler((t, e) -> died.compareAndSet(null, t.getName() + " died: " + e));
            return thread;
        }, io);
    }

    /**
     * Why a loop no longer runs though {@link #close} was not called (its thread died of an Error such as
     * OutOfMemoryError, or it was shut down): the connections it served are gone and new ones would hang.
     */
    public java.util.Optional<String> deadLoop() {
        if (closing) {
            return java.util.Optional.empty();
        }
        String why = died.get();
        if (why != null) {
            return java.util.Optional.of("an event loop thread " + why);
        }
        for (io.netty.util.concurrent.EventExecutor loop : group) {
            if (loop.isShuttingDown()) {
                return java.util.Optional.of("an event loop stopped (" + loop + ")");
            }
        }
        return java.util.Optional.empty();
    }

    public EventLoopGroup group() {
        return group;
    }

    public boolean nativeTransport() {
        return epoll;
    }

    public Class<? extends ServerChannel> serverChannel() {
        return epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    public Class<? extends SocketChannel> channel() {
        return epoll ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    /** A connection that {@link #close} must close; closed ones leave by themselves. */
    public void track(Channel channel) {
        channels.add(channel);
    }

    /** The tracked connections and listeners still open. */
    public int openChannels() {
        return channels.size();
    }

    @Override
    public void close() {
        closing = true;
        channels.close().awaitUninterruptibly(CLOSE_WAIT_MILLIS);
        group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }
}
