package dev.aimesh.bench.jmh;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
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
import org.openjdk.jmh.infra.Blackhole;
import dev.aimesh.proxy.http.ExchangeHandler;
import dev.aimesh.proxy.http.ForwardedClientCert;
import dev.aimesh.proxy.http.ProxyLimits;
import dev.aimesh.proxy.http.ServerPipelines;
import dev.aimesh.proxy.http.StrictHttp1Guard;
import dev.aimesh.proxy.http.UpstreamConnector;
import dev.aimesh.proxy.net.TrafficCounters;
import dev.aimesh.proxy.http.UpstreamLease;
import dev.aimesh.proxy.inbound.InboundChain;
import dev.aimesh.proxy.snapshot.SnapshotHolder;
import dev.aimesh.proxy.filter.PeerIdentity;

/**
 * One whole inbound exchange in memory, the per-request cost a proxy pays besides sockets and TLS: the
 * server pipeline (guard, HTTP/1.1 codec or HTTP/2 stream codec), ExchangeHandler with the inbound filter chain
 * (hop-by-hop strip, XFCC rewrite, framing), the relay to a leased upstream and the response back.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class ExchangeBenchmark {
    private static final ProxyLimits LIMITS = ProxyLimits.DEFAULTS;
    private static final String RESPONSE = "{\"id\":\"chatcmpl-1\",\"choices\":[{\"message\":{\"content\":\"Hi!\"}}]}";

    private final EmbeddedUpstream upstream = new EmbeddedUpstream();
    private EmbeddedChannel http1;
    private EmbeddedChannel http2;
    private ByteBuf request;
    private ByteBuf requestBody;
    private ByteBuf responseBody;
    private Http2Headers http2Request;
    private HttpHeaders responseHeaders;

    @Setup
    public void setUp() {
        MeshIdentities identities = new MeshIdentities();
        var leaf = identities.svid(MeshIdentities.APP).leaf();
        PeerIdentity peer = new PeerIdentity(MeshIdentities.APP, ForwardedClientCert.value(MeshIdentities.MODEL, leaf,
                MeshIdentities.APP));
        SnapshotHolder.Source router = InboundChain.withoutPolicies(upstream, 8000);

        http1 = new EmbeddedChannel();
        ServerPipelines.http1(http1.pipeline(), router, LIMITS);
        InboundPeers.attach(http1, peer);
        http2 = new EmbeddedChannel(new Http2StreamFrameToHttpObjectCodec(true), new ExchangeHandler(router, LIMITS, true));
        InboundPeers.attach(http2, peer);

        request = Requests.http1Bytes();
        requestBody = Unpooled.directBuffer().writeBytes(Requests.BODY.getBytes(StandardCharsets.US_ASCII));
        responseBody = Unpooled.directBuffer().writeBytes(RESPONSE.getBytes(StandardCharsets.US_ASCII));
        http2Request = Requests.http2Headers();
        responseHeaders = DefaultHttpHeadersFactory.headersFactory().newHeaders()
                .add(HttpHeaderNames.CONTENT_TYPE, "application/json")
                .add(HttpHeaderNames.CONTENT_LENGTH, RESPONSE.length())
                .add(HttpHeaderNames.DATE, "Tue, 01 Dec 2026 12:00:00 GMT")
                .add(HttpHeaderNames.SERVER, "uvicorn")
                .add(HttpHeaderNames.CONNECTION, "keep-alive");
    }

    @TearDown
    public void tearDown() {
        http1.finishAndReleaseAll();
        http2.finishAndReleaseAll();
        upstream.channel.finishAndReleaseAll();
        Requests.releaseTemplate(request);
        Requests.releaseTemplate(requestBody);
        Requests.releaseTemplate(responseBody);
    }

    /** A keep-alive HTTP/1.1 connection: request bytes in, response bytes out. */
    @Benchmark
    public void http1(Blackhole bh) {
        http1.writeInbound(request.retainedDuplicate());
        exchange(http1, bh);
    }

    /** One HTTP/2 stream as Http2MultiplexHandler hands it over: HEADERS and DATA frames in, frames out. */
    @Benchmark
    public void http2(Blackhole bh) {
        http2.writeInbound(new DefaultHttp2HeadersFrame(http2Request, false),
                new DefaultHttp2DataFrame(requestBody.retainedDuplicate(), true));
        exchange(http2, bh);
    }

    private void exchange(EmbeddedChannel downstream, Blackhole bh) {
        int released = upstream.released;
        Object forwarded;
        int parts = 0;
        while ((forwarded = upstream.channel.readOutbound()) != null) {
            if (forwarded instanceof HttpRequest head) {
                bh.consume(head.headers().get(ForwardedClientCert.HEADER));
            }
            ReferenceCountUtil.release(forwarded);
            parts++;
        }
        if (parts == 0) {
            throw new IllegalStateException("nothing reached the upstream: " + downstream.readOutbound());
        }
        upstream.channel.writeInbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                responseBody.retainedDuplicate(), responseHeaders.copy(), DefaultHttpHeadersFactory.trailersFactory().newHeaders()));
        Object sent;
        while ((sent = downstream.readOutbound()) != null) {
            bh.consume(sent);
            ReferenceCountUtil.release(sent);
        }
        if (upstream.released != released + 1 || !upstream.reusable) {
            throw new IllegalStateException("the exchange did not give its upstream back for reuse");
        }
    }

    /** An upstream whose one channel is in memory, so the benchmark reads what the proxy forwards. */
    private static final class EmbeddedUpstream implements UpstreamConnector, UpstreamLease {
        final EmbeddedChannel channel = new EmbeddedChannel();
        final TrafficCounters counters = new TrafficCounters();
        int released;
        boolean reusable;

        @Override
        public Future<UpstreamLease> acquire(EventLoop loop) {
            return loop.newSucceededFuture(this);
        }

        @Override
        public String describe() {
            return "an in-memory upstream";
        }

        @Override
        public TrafficCounters counters() {
            return counters;
        }

        @Override
        public Channel channel() {
            return channel;
        }

        @Override
        public boolean http2() {
            return false;
        }

        @Override
        public void release(boolean reusable) {
            this.reusable = reusable;
            released++;
        }
    }
}
