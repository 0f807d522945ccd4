package dev.aimesh.bench.jmh;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import dev.aimesh.proxy.http.ProxyLimits;
import dev.aimesh.proxy.http.UpstreamConnector;
import dev.aimesh.proxy.http.UpstreamLease;
import dev.aimesh.proxy.net.EventLoops;
import dev.aimesh.proxy.upstream.Http1UpstreamPool;
import dev.aimesh.proxy.upstream.Http2Upstream;

/**
 * Upstream checkout, once per request: acquire and release a lease on an already-open connection to a
 * local server, on the event loop as ExchangeHandler does (an HTTP/1.1 pooled channel, or a new HTTP/2 stream).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class UpstreamCheckoutBenchmark {
    /** Checkouts per hop to the event loop, so the hand-off from the benchmark thread is amortised. */
    private static final int BATCH = 100;

    private EventLoops proxyLoops;
    private EventLoops serverLoops;
    private Channel http1Server;
    private Channel http2Server;
    private Http1UpstreamPool http1;
    private Http2Upstream http2;
    private EventLoop loop;

    @Setup
    public void setUp() {
        serverLoops = new EventLoops(1, "bench-server");
        http1Server = listen(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new HttpServerCodec());
            }
        });
        http2Server = listen(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(Http2FrameCodecBuilder.forServer().build(),
                        new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
            }
        });
        proxyLoops = new EventLoops(1, "bench-proxy");
        loop = proxyLoops.group().next();
        http1 = new Http1UpstreamPool((InetSocketAddress) http1Server.localAddress(), proxyLoops, ProxyLimits.DEFAULTS);
        http2 = Http2Upstream.cleartext((InetSocketAddress) http2Server.localAddress(), proxyLoops, ProxyLimits.DEFAULTS);
        // Open the connections now: the benchmarks measure checkouts of a warm one.
        checkouts(http1, 1);
        checkouts(http2, 1);
    }

    private Channel listen(ChannelHandler init) {
        return new ServerBootstrap().group(serverLoops.group()).channel(serverLoops.serverChannel()).childHandler(init)
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).syncUninterruptibly().channel();
    }

    @TearDown
    public void tearDown() {
        http1.close();
        http2.close();
        http1Server.close().syncUninterruptibly();
        http2Server.close().syncUninterruptibly();
        proxyLoops.close();
        serverLoops.close();
    }

    /** Http1UpstreamPool: a pooled keep-alive channel out of the per-loop SimpleChannelPool and back. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int http1() {
        return checkouts(http1, BATCH);
    }

    /** Http2Upstream: a new stream channel on the shared connection, closed again. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int http2() {
        return checkouts(http2, BATCH);
    }

    /** Runs {@code count} acquire+release cycles on the event loop; returns how many leases were open channels. */
    private int checkouts(UpstreamConnector upstream, int count) {
        Promise<Integer> done = loop.newPromise();
        loop.execute(() -> cycle(upstream, count, 0, done));
        return done.syncUninterruptibly().getNow();
    }

    private void cycle(UpstreamConnector upstream, int left, int open, Promise<Integer> done) {
        while (left > 0) {
            Future<UpstreamLease> leased = upstream.acquire(loop);
            if (!leased.isDone()) { // only a connection still being set up completes later
                int rest = left;
                int soFar = open;
                leased.addListener(f -> {
                    if (checkedIn(leased, done)) {
                        cycle(upstream, rest - 1, soFar + 1, done);
                    }
                });
                return;
            }
            if (!checkedIn(leased, done)) {
                return;
            }
            left--;
            open++;
        }
        done.setSuccess(open);
    }

    private static boolean checkedIn(Future<UpstreamLease> leased, Promise<Integer> done) {
        if (!leased.isSuccess()) {
            done.tryFailure(leased.cause());
            return false;
        }
        UpstreamLease lease = leased.getNow();
        if (!lease.channel().isActive()) {
            done.tryFailure(new IllegalStateException("leased a closed channel: " + lease.channel()));
            return false;
        }
        lease.release(true);
        return true;
    }
}
