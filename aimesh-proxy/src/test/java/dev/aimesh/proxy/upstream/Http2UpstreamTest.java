package dev.aimesh.proxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import dev.aimesh.proxy.http.ProxyLimits;
import dev.aimesh.proxy.http.UpstreamLease;
import dev.aimesh.proxy.net.EventLoops;
import io.netty.util.concurrent.Future;

class Http2UpstreamTest {
    @Test
    void aPeerThatAcceptsButNeverSpeaksHttp2FailsTheCallWithinTheConnectTimeout() throws Exception {
        ProxyLimits limits = new ProxyLimits(8 * 1024, 32 * 1024, 1024, Duration.ofMinutes(1), Duration.ofMillis(300),
                Duration.ofMinutes(1), 100);
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
}
