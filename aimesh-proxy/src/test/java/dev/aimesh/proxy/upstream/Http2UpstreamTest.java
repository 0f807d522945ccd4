package dev.aimesh.proxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import io.netty.channel.Channel;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import dev.aimesh.proxy.http.ProxyLimits;
import dev.aimesh.proxy.http.UpstreamLease;
import dev.aimesh.proxy.net.EventLoops;
import io.netty.util.concurrent.Future;

class Http2UpstreamTest {
    private static final ProxyLimits FAST = ProxyLimits.builder().maxRequestBodyBytes(1024).idleTimeout(Duration.ofMinutes(1))
            .connectTimeout(Duration.ofMillis(300)).responseTimeout(Duration.ofMinutes(1)).maxConcurrentStreams(100).build();
    /** An empty SETTINGS frame: what a peer that has set up HTTP/2 sends first. */
    private static final byte[] SETTINGS = {0, 0, 0, 4, 0, 0, 0, 0, 0};

    /**
     * A peer that vanished without closing (its process froze, its host or the path to it went away, or its
     * socket was left open unread) must not hold a request until the response timeout: an unanswered PING
     * ends the connection, and the request with it.
     */
    @Test
    void aStreamOnAConnectionWhosePeerFallsSilentEndsWhenThePeerDoesNotAnswerAPing() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                EventLoops loops = new EventLoops(1, "test")) {
            Thread.ofPlatform().daemon().start(() -> {
                try (Socket accepted = silent.accept()) {
                    accepted.getOutputStream().write(SETTINGS); // HTTP/2 is up; after this, not a byte more
                    accepted.getInputStream().readAllBytes();
                } catch (Exception e) {
                    // closed by the test
                }
            });
            Http2Upstream upstream = Http2Upstream.cleartext(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                    silent.getLocalPort()), loops, FAST);
            Future<UpstreamLease> lease = upstream.acquire(loops.group().next());
            assertThat(lease.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(lease.isSuccess()).as("%s", lease.cause()).isTrue();
            Channel stream = lease.getNow().channel();
            stream.writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().method("GET").path("/v1/models")
                    .scheme("http").authority("model"), true));

            assertThat(stream.closeFuture().await(5, TimeUnit.SECONDS))
                    .as("the stream ended though its peer never answered").isTrue();
            assertThat(stream.parent().closeFuture().await(1, TimeUnit.SECONDS)).as("the dead connection closed").isTrue();
        }
    }

    @Test
    void beyondItsConnectionsAPeerThatTakesNoMoreStreamsIsRefusedAtOnceInsteadOfGettingAnotherConnection() throws Exception {
        byte[] oneStream = {0, 0, 6, 4, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 1}; // SETTINGS_MAX_CONCURRENT_STREAMS = 1
        try (ServerSocket peer = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                EventLoops loops = new EventLoops(1, "test")) {
            Thread.ofPlatform().daemon().start(() -> {
                try (Socket accepted = peer.accept()) {
                    accepted.getOutputStream().write(oneStream);
                    accepted.getInputStream().readAllBytes();
                } catch (Exception e) {
                    // closed by the test
                }
            });
            Http2Upstream upstream = Http2Upstream.cleartext(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                    peer.getLocalPort()), loops, FAST, new PoolBounds(1, 10));
            io.netty.channel.EventLoop loop = loops.group().next();
            Future<UpstreamLease> first = upstream.acquire(loop);
            assertThat(first.await(5, TimeUnit.SECONDS) && first.isSuccess()).as("%s", first.cause()).isTrue();

            Future<UpstreamLease> second = upstream.acquire(loop);

            assertThat(second.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(second.cause()).isInstanceOf(dev.aimesh.proxy.http.UpstreamPoolFull.class)
                    .hasMessageContaining("all its 1 connections");
            assertThat(upstream.counters().connections()).isEqualTo(1);
        }
    }

    @Test
    void aPeerThatAcceptsButNeverSpeaksHttp2FailsTheCallWithinTheConnectTimeout() throws Exception {
        ProxyLimits limits = ProxyLimits.builder().maxRequestBodyBytes(1024).idleTimeout(Duration.ofMinutes(1))
                .connectTimeout(Duration.ofMillis(300)).responseTimeout(Duration.ofMinutes(1)).maxConcurrentStreams(100).build();
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                EventLoops loops = new EventLoops(1, "test")) {
            Thread.ofPlatform().daemon().start(() -> {
                try (Socket accepted = silent.accept()) {
                    accepted.getInputStream().readAllBytes(); // reads, never answers
                } catch (Exception e) {
                    // closed by the test
                }
            });
            Http2Upstream upstream = Http2Upstream.cleartext(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                    silent.getLocalPort()), loops, limits);

            Future<UpstreamLease> lease = upstream.acquire(loops.group().next());

            assertThat(lease.await(5, TimeUnit.SECONDS)).as("the call ended instead of waiting forever").isTrue();
            assertThat(lease.isSuccess()).isFalse();
            assertThat(lease.cause()).hasMessageContaining("no HTTP/2 SETTINGS from the peer within 300 ms");
        }
    }

    /**
     * A next hop the registry no longer lists must not keep its connections for the proxy's lifetime, yet the
     * requests on them finish: an idle connection closes at once, a busy one when its last stream ends.
     */
    @Test
    void aRetiredUpstreamClosesAnIdleConnectionAtOnceAndABusyOneWhenItsLastStreamEnds() throws Exception {
        // A connect timeout (and so a PING after silence) long enough not to end the silent peer's connection itself.
        ProxyLimits limits = ProxyLimits.builder().maxRequestBodyBytes(1024).idleTimeout(Duration.ofMinutes(1))
                .connectTimeout(Duration.ofSeconds(10)).responseTimeout(Duration.ofMinutes(1)).maxConcurrentStreams(100).build();
        try (ServerSocket peer = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                EventLoops loops = new EventLoops(1, "test")) {
            Thread.ofPlatform().daemon().start(() -> {
                while (!peer.isClosed()) {
                    try {
                        Socket accepted = peer.accept();
                        accepted.getOutputStream().write(SETTINGS);
                        Thread.ofPlatform().daemon().start(() -> {
                            try (accepted) {
                                accepted.getInputStream().readAllBytes();
                            } catch (Exception e) {
                                // closed by the proxy side
                            }
                        });
                    } catch (Exception e) {
                        return; // closed by the test
                    }
                }
            });
            InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), peer.getLocalPort());
            io.netty.channel.EventLoop loop = loops.group().next();

            Http2Upstream idle = Http2Upstream.cleartext(address, loops, limits);
            UpstreamLease used = leased(idle, loop);
            Channel idleConnection = used.channel().parent();
            loop.submit(() -> used.release(true)).sync();
            assertThat(idleConnection.isActive()).as("an idle connection stays open for the next request").isTrue();
            idle.retire();
            assertThat(idleConnection.closeFuture().await(5, TimeUnit.SECONDS)).as("retired, the idle connection closed").isTrue();

            Http2Upstream busy = Http2Upstream.cleartext(address, loops, limits);
            UpstreamLease first = leased(busy, loop);
            UpstreamLease second = leased(busy, loop);
            Channel busyConnection = first.channel().parent();
            assertThat(second.channel().parent()).isSameAs(busyConnection);
            busy.retire();
            loop.submit(() -> first.release(true)).sync();
            assertThat(busyConnection.closeFuture().await(300, TimeUnit.MILLISECONDS))
                    .as("a retired connection with a stream still open stays open").isFalse();
            loop.submit(() -> second.release(true)).sync();
            assertThat(busyConnection.closeFuture().await(5, TimeUnit.SECONDS))
                    .as("the retired connection closed with its last stream").isTrue();
        }
    }

    private static UpstreamLease leased(Http2Upstream upstream, io.netty.channel.EventLoop loop) throws InterruptedException {
        Future<UpstreamLease> lease = upstream.acquire(loop);
        assertThat(lease.await(5, TimeUnit.SECONDS)).as("leased within 5 s").isTrue();
        assertThat(lease.isSuccess()).as("%s", lease.cause()).isTrue();
        return lease.getNow();
    }
}
