package dev.aimesh.proxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import dev.aimesh.proxy.http.ProxyLimits;
import dev.aimesh.proxy.http.UpstreamLease;
import dev.aimesh.proxy.http.UpstreamPoolFull;
import dev.aimesh.proxy.net.EventLoops;

class Http1UpstreamPoolTest {
    private static final ProxyLimits LIMITS = ProxyLimits.builder().maxRequestBodyBytes(1024).idleTimeout(Duration.ofMinutes(1))
            .connectTimeout(Duration.ofSeconds(2)).responseTimeout(Duration.ofMinutes(1)).maxConcurrentStreams(100).build();

    /** A model that accepts every connection and answers nothing: busy with every request it has. */
    private static final class SilentModel implements AutoCloseable {
        private final ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final List<Socket> held = new CopyOnWriteArrayList<>();

        SilentModel() throws IOException {
            Thread.ofPlatform().daemon().start(() -> {
                try {
                    while (true) {
                        held.add(socket.accept());
                    }
                } catch (IOException e) {
                    // closed by the test
                }
            });
        }

        InetSocketAddress address() {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), socket.getLocalPort());
        }

        @Override
        public void close() throws IOException {
            socket.close();
            for (Socket s : held) {
                s.close();
            }
        }
    }

    @Test
    void beyondItsConnectionsAndWaitingRequestsTheModelPoolRefusesAtOnceInsteadOfOpeningMore() throws Exception {
        try (SilentModel model = new SilentModel(); EventLoops loops = new EventLoops(1, "test")) {
            Http1UpstreamPool pool = new Http1UpstreamPool(model.address(), loops, LIMITS, new PoolBounds(2, 1));
            EventLoop loop = loops.group().next();

            Future<UpstreamLease> first = pool.acquire(loop);
            Future<UpstreamLease> second = pool.acquire(loop);
            assertThat(first.await(5, TimeUnit.SECONDS) && second.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(first.isSuccess() && second.isSuccess()).isTrue();
            Future<UpstreamLease> waits = pool.acquire(loop);
            Future<UpstreamLease> refused = pool.acquire(loop);

            assertThat(refused.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(refused.cause()).isInstanceOf(UpstreamPoolFull.class).hasMessageContaining("2 connections busy")
                    .hasMessageContaining("1 requests waiting");
            assertThat(waits.isDone()).as("the one that may wait, waits").isFalse();
            assertThat(pool.counters().connections()).isEqualTo(2);

            first.getNow().release(true);
            assertThat(waits.await(5, TimeUnit.SECONDS) && waits.isSuccess()).as("it gets the connection given back").isTrue();
        }
    }

    @Test
    void aConnectionGivenBackPausedReadsAgain() throws Exception {
        try (SilentModel model = new SilentModel(); EventLoops loops = new EventLoops(1, "test")) {
            Http1UpstreamPool pool = new Http1UpstreamPool(model.address(), loops, LIMITS, new PoolBounds(1, 1));
            EventLoop loop = loops.group().next();
            Future<UpstreamLease> leased = pool.acquire(loop);
            assertThat(leased.await(5, TimeUnit.SECONDS) && leased.isSuccess()).isTrue();
            UpstreamLease lease = leased.getNow();

            // An exchange whose client read slowly paused the connection, and its answer ended meanwhile.
            loop.submit(() -> {
                lease.channel().config().setAutoRead(false);
                lease.release(true);
            }).await(5, TimeUnit.SECONDS);

            Future<UpstreamLease> again = pool.acquire(loop);
            assertThat(again.await(5, TimeUnit.SECONDS) && again.isSuccess()).isTrue();
            assertThat(again.getNow().channel()).as("the same connection, reused").isSameAs(lease.channel());
            assertThat(again.getNow().channel().config().isAutoRead()).as("reading: the next answer and a close are seen").isTrue();
        }
    }
}
