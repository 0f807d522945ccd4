package dev.aimesh.bench.jmh;

import java.util.concurrent.TimeUnit;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpHeaders;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import dev.aimesh.proxy.http.HopByHop;
import dev.aimesh.proxy.http.ProxyLimits;
import dev.aimesh.proxy.http.StrictHttp1Guard;

/**
 * Per-request header work before routing: StrictHttp1Guard scans every byte of every HTTP/1.1 request head
 * ahead of the decoder, and HopByHop.strip runs on every request and response in both directions.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class HttpHeadersBenchmark {
    private ByteBuf request;
    private EmbeddedChannel guarded;
    private EmbeddedChannel bare;
    private HttpHeaders headers;

    @Setup
    public void setUp() {
        request = Requests.http1Bytes();
        guarded = new EmbeddedChannel();
        guarded.pipeline().addLast("strict", new StrictHttp1Guard(ProxyLimits.DEFAULTS));
        bare = new EmbeddedChannel(new ChannelInboundHandlerAdapter());
        headers = Requests.http1Headers();
    }

    @TearDown
    public void tearDown() {
        guarded.finishAndReleaseAll();
        bare.finishAndReleaseAll();
        Requests.releaseTemplate(request);
    }

    /** One request (11 fields, small body) through the strict framing guard; the guard keeps its state per connection. */
    @Benchmark
    public ByteBuf strictGuard() {
        return passThrough(guarded);
    }

    /** The same write and read through an EmbeddedChannel without the guard: subtract it from {@link #strictGuard}. */
    @Benchmark
    public ByteBuf strictGuardBaseline() {
        return passThrough(bare);
    }

    private ByteBuf passThrough(EmbeddedChannel channel) {
        channel.writeInbound(request.retainedDuplicate());
        ByteBuf passed = channel.readInbound();
        if (passed == null) {
            throw new IllegalStateException("the guard refused the benchmark request");
        }
        passed.release();
        return passed;
    }

    /** Copies the decoder's headers and strips the hop-by-hop fields (Connection: keep-alive and what it names). */
    @Benchmark
    public HttpHeaders hopByHopStrip() {
        HttpHeaders copy = headers.copy();
        HopByHop.strip(copy);
        return copy;
    }

    /** The copy alone: subtract it from {@link #hopByHopStrip}. */
    @Benchmark
    public HttpHeaders hopByHopStripBaseline() {
        return headers.copy();
    }
}
