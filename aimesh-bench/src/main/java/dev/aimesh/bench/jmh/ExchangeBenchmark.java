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
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
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
 * server pipeline (guard, HTTP/1.1 codec, or an HTTP/2 stream's frames), ExchangeHandler with the inbound filter
 * chain (hop-by-hop strip, XFCC rewrite, framing), the relay to a leased upstream (HTTP/1.1, or an HTTP/2 stream
 * whose frames pass as they are) and the response back.
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

    private final EmbeddedUpstream upstream = new EmbeddedUpstream(false);
    private final EmbeddedUpstream http2Upstream = new EmbeddedUpstream(true);
    private EmbeddedChannel http1;
    private EmbeddedChannel http2;
    private EmbeddedChannel http2ToHttp2;
    private ByteBuf request;
    private ByteBuf requestBody;
    private ByteBuf responseBody;
    private Http2Headers http2Request;
    private HttpHeaders responseHeaders;
    private Http2Headers http2ResponseHeaders;

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
        http2 = new EmbeddedChannel(new ExchangeHandler(router, LIMITS, true));
        InboundPeers.attach(http2, peer);
        http2ToHttp2 = new EmbeddedChannel(new ExchangeHandler(InboundChain.withoutPolicies(http2Upstream, 8000), LIMITS, true));
        InboundPeers.attach(http2ToHttp2, peer);

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
        http2ResponseHeaders = new DefaultHttp2Headers().status("200").add(HttpHeaderNames.CONTENT_TYPE, "application/json")
                .addInt(HttpHeaderNames.CONTENT_LENGTH, RESPONSE.length())
                .add(HttpHeaderNames.DATE, "Tue, 01 Dec 2026 12:00:00 GMT")
                .add(HttpHeaderNames.SERVER, "triton");
    }

    @TearDown
    public void tearDown() {
        http1.finishAndReleaseAll();
        http2.finishAndReleaseAll();
        http2ToHttp2.finishAndReleaseAll();
        upstream.channel.finishAndReleaseAll();
        http2Upstream.channel.finishAndReleaseAll();
        Requests.releaseTemplate(request);
        Requests.releaseTemplate(requestBody);
        Requests.releaseTemplate(responseBody);
    }

    /** A keep-alive HTTP/1.1 connection: request bytes in, response bytes out. */
    @Benchmark
    public void http1(Blackhole bh) {
        http1.writeInbound(request.retainedDuplicate());
        exchange(http1, upstream, bh);
    }

    /**
     * One HTTP/2 stream as Http2MultiplexHandler hands it over (HEADERS and DATA frames in, frames out) to an
     * HTTP/1.1 model: translated once each way.
     */
    @Benchmark
    public void http2(Blackhole bh) {
        http2.writeInbound(new DefaultHttp2HeadersFrame(copy(http2Request), false),
                new DefaultHttp2DataFrame(requestBody.retainedDuplicate(), true));
        exchange(http2, upstream, bh);
    }

    /** The same stream to an HTTP/2 model (a gRPC server, Triton): frames pass both ways, nothing is translated. */
    @Benchmark
    public void http2ToHttp2(Blackhole bh) {
        http2ToHttp2.writeInbound(new DefaultHttp2HeadersFrame(copy(http2Request), false),
                new DefaultHttp2DataFrame(requestBody.retainedDuplicate(), true));
        exchange(http2ToHttp2, http2Upstream, bh);
    }

    /**
     * The fresh header block alone that each HTTP/2 benchmark makes per request (HPACK decoding makes one too): the
     * part of their figures that is not the exchange's.
     */
    @Benchmark
    public Http2Headers http2HeadersAlone() {
        return copy(http2Request);
    }

    /** A fresh header block, as the HPACK decoder makes one per request (the exchange edits it in place). */
    private static Http2Headers copy(Http2Headers template) {
        Http2Headers headers = new DefaultHttp2Headers();
        headers.add(template);
        return headers;
    }

    private void exchange(EmbeddedChannel downstream, EmbeddedUpstream upstream, Blackhole bh) {
        int released = upstream.released;
        Object forwarded;
        int parts = 0;
        while ((forwarded = upstream.channel.readOutbound()) != null) {
            if (forwarded instanceof HttpRequest head) {
                bh.consume(head.headers().get(ForwardedClientCert.HEADER));
            } else if (forwarded instanceof Http2HeadersFrame head) {
                bh.consume(head.headers().get(ForwardedClientCert.HEADER));
            }
            ReferenceCountUtil.release(forwarded);
            parts++;
        }
        if (parts == 0) {
            throw new IllegalStateException("nothing reached the upstream: " + downstream.readOutbound());
        }
        if (upstream.http2) {
            upstream.channel.writeInbound(new DefaultHttp2HeadersFrame(copy(http2ResponseHeaders), false),
                    new DefaultHttp2DataFrame(responseBody.retainedDuplicate(), true));
        } else {
            upstream.channel.writeInbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    responseBody.retainedDuplicate(), responseHeaders.copy(), DefaultHttpHeadersFactory.trailersFactory().newHeaders()));
        }
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
        final boolean http2;
        int released;
        boolean reusable;

        EmbeddedUpstream(boolean http2) {
            this.http2 = http2;
        }

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
            return http2;
        }

        @Override
        public void release(boolean reusable) {
            this.reusable = reusable;
            released++;
        }
    }
}
