package dev.aimesh.proxy.http;

import java.util.Optional;
import dev.aimesh.proxy.snapshot.SnapshotHolder;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import dev.aimesh.proxy.net.Flushes;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import dev.aimesh.proxy.net.Http2Windows;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;

/**
 * Turns a connection into an HTTP server whose requests go through one {@link ExchangeHandler}: for
 * HTTP/1.1 one per connection (it reads HttpObjects), for HTTP/2 one per stream (it reads the stream's frames,
 * which pass on as they are to an HTTP/2 upstream).
 */
public final class ServerPipelines {
    private static final int RESETS_PER_STREAM_SLOT = 20;
    private static final int RESET_WINDOW_SECONDS = 10;

    private ServerPipelines() {}

    public static void http1(ChannelPipeline pipeline, SnapshotHolder.Source chains, ProxyLimits limits) {
        http1(pipeline, chains, limits, Optional.empty());
    }

    /** With {@code admission}, each exchange holds one of its slots from its request's head to its final response. */
    public static void http1(ChannelPipeline pipeline, SnapshotHolder.Source chains, ProxyLimits limits,
            Optional<StreamAdmission> admission) {
        HttpDecoderConfig decoder = new HttpDecoderConfig()
                .setMaxInitialLineLength(limits.maxRequestLineBytes())
                .setMaxHeaderSize(limits.maxHeaderBytes())
                .setMaxChunkSize(64 * 1024)
                .setAllowDuplicateContentLengths(false);
        pipeline.addLast("strict", new StrictHttp1Guard(limits));
        pipeline.addLast("http1", new HttpServerCodec(decoder));
        pipeline.addLast("head-checks", new RequestHeadChecksHandler(limits));
        admission.ifPresent(a -> pipeline.addLast("admission", new Http1ExchangeAdmissionHandler(a)));
        pipeline.addLast("exchange", new ExchangeHandler(chains, limits, false));
    }

    public static void http2(ChannelPipeline pipeline, SnapshotHolder.Source chains, ProxyLimits limits) {
        http2(pipeline, chains, limits, Optional.empty());
    }

    /** With {@code admission}, each stream holds one of its slots while it is open; one refused is reset. */
    public static void http2(ChannelPipeline pipeline, SnapshotHolder.Source chains, ProxyLimits limits,
            Optional<StreamAdmission> admission) {
        Http2Settings settings = Http2Windows.streamWindow(Http2Settings.defaultSettings())
                .maxConcurrentStreams(limits.maxConcurrentStreams())
                .maxHeaderListSize(limits.maxHeaderBytes());
        // Netty's default rapid-reset guard (200 RST_STREAM per 30 s) ends the whole connection, and with it every
        // stream still going, when an app gives up on a few hundred calls: one connection between two proxies carries
        // all of them. This bound still stops a reset flood (CVE-2023-44487 sends hundreds of thousands a second).
        int resetsPerWindow = limits.maxConcurrentStreams() * RESETS_PER_STREAM_SLOT;
        pipeline.addLast("flush", Flushes.consolidating());
        pipeline.addLast("http2", new Http2ServerCodecBuilder().initialSettings(settings)
                .decoderEnforceMaxRstFramesPerWindow(resetsPerWindow, RESET_WINDOW_SECONDS).build());
        pipeline.addLast("http2-window", Http2Windows.connectionWindow());
        pipeline.addLast("streams", new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
            @Override
            protected void initChannel(Http2StreamChannel stream) {
                admission.ifPresent(a -> stream.pipeline().addLast(new Http2StreamAdmissionHandler(a)));
                stream.pipeline().addLast(new Http2StreamGuard());
                stream.pipeline().addLast(new ExchangeHandler(chains, limits, true));
            }
        }));
        pipeline.addLast("http2-errors", new Http2ConnectionErrors());
    }
}
