package dev.aimesh.proxy.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;

class EventLoopsTest {
    /**
     * Netty leaves a loop's channels open when its shutdown begins while the loop runs a task (with no quiet
     * period it never reaches the step that closes them): the socket stays open in this process, nobody reads
     * it, and a peer proxy that reuses its connection waits for an answer that never comes.
     */
    @Test
    void closingClosesEveryConnectionEvenWhenTheLoopIsBusyAsShutdownBegins() throws Exception {
        EventLoops loops = new EventLoops(1, "test");
        CountDownLatch accepted = new CountDownLatch(1);
        Channel server = Listeners.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), loops,
                Duration.ofMinutes(1), new TrafficCounters(), ch -> {
                    ch.pipeline().addLast(new ChannelInboundHandlerAdapter());
                    accepted.countDown();
                });
        try (Socket client = new Socket(InetAddress.getLoopbackAddress(), ((InetSocketAddress) server.localAddress()).getPort())) {
            assertThat(accepted.await(5, TimeUnit.SECONDS)).isTrue();
            AtomicBoolean closing = new AtomicBoolean();
            CountDownLatch busy = new CountDownLatch(1);
            server.eventLoop().execute(() -> {
                busy.countDown();
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
                while (!closing.get() && System.nanoTime() < until) {
                    Thread.onSpinWait(); // the loop is inside a task when the shutdown starts
                }
                sleep(50);
            });
            assertThat(busy.await(5, TimeUnit.SECONDS)).isTrue();
            closing.set(true);

            loops.close();

            client.setSoTimeout(3000);
            InputStream in = client.getInputStream();
            assertThat(in.read()).as("the proxy's side of the connection is closed").isEqualTo(-1);
        }
    }

    @Test
    void aLoopThatStoppedWithoutTheProxyClosingIsReportedAsDead() throws Exception {
        try (EventLoops loops = new EventLoops(2, "test")) {
            assertThat(loops.deadLoop()).isEmpty();

            loops.group().next().shutdownGracefully(0, 0, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);

            assertThat(loops.deadLoop()).hasValueSatisfying(why -> assertThat(why).contains("an event loop stopped"));
        }
    }

    @Test
    void closingIsNotDeath() {
        EventLoops loops = new EventLoops(1, "test");
        loops.close();
        assertThat(loops.deadLoop()).isEmpty();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
