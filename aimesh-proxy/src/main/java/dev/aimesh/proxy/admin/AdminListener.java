package dev.aimesh.proxy.admin;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Supplier;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import dev.aimesh.proxy.ProxyStats;
import dev.aimesh.proxy.net.EventLoops;
import dev.aimesh.proxy.net.Listeners;
import dev.aimesh.proxy.net.TrafficCounters;

/**
 * The proxy's own plain-HTTP port for operators and probes, meant for loopback: {@code GET /ready} (200
 * once the proxy serves, 503 with the reason once it cannot: a dead event loop or config stream) and {@code GET /stats} (counters in Prometheus text format). Nothing here
 * touches the data path.
 */
public final class AdminListener implements AutoCloseable {
    private static final int MAX_REQUEST_BYTES = 8 * 1024;
    private static final Duration IDLE_TIMEOUT = Duration.ofMinutes(1);

    private final EventLoops loops = new EventLoops(1, "aimesh-proxy-admin");
    private final Channel server;

    public AdminListener(InetSocketAddress listen, Supplier<ProxyStats> stats) {
        this(listen, stats, java.util.Optional::empty);
    }

    /** @param problem why the proxy cannot serve (then {@code /ready} answers 503 with it), or empty */
    public AdminListener(InetSocketAddress listen, Supplier<ProxyStats> stats, Supplier<java.util.Optional<String>> problem) {
        try {
            this.server = Listeners.bind(listen, loops, IDLE_TIMEOUT, new TrafficCounters(), ch -> ch.pipeline()
                    .addLast(new HttpServerCodec(), new HttpObjectAggregator(MAX_REQUEST_BYTES), new Routes(stats, problem)));
        } catch (RuntimeException e) {
            loops.close();
            throw e;
        }
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) server.localAddress();
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        loops.close();
    }

    private static final class Routes extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final Supplier<ProxyStats> stats;
        private final Supplier<java.util.Optional<String>> problem;

        Routes(Supplier<ProxyStats> stats, Supplier<java.util.Optional<String>> problem) {
            this.stats = stats;
            this.problem = problem;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            String path = new QueryStringDecoder(request.uri()).path();
            FullHttpResponse response;
            if (!request.method().equals(HttpMethod.GET)) {
                response = text(HttpResponseStatus.METHOD_NOT_ALLOWED, "only GET is served here\n", "text/plain");
            } else {
                response = switch (path) {
                    case "/ready" -> problem.get()
                            .map(why -> text(HttpResponseStatus.SERVICE_UNAVAILABLE, "not ready: " + why + "\n", "text/plain"))
                            .orElseGet(() -> text(HttpResponseStatus.OK, "ready\n", "text/plain"));
                    case "/stats" -> text(HttpResponseStatus.OK, stats.get().prometheusText(), "text/plain; version=0.0.4");
                    default -> text(HttpResponseStatus.NOT_FOUND, "not found: " + path + " (try /ready or /stats)\n", "text/plain");
                };
            }
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            HttpUtil.setKeepAlive(response, keepAlive);
            var written = ctx.writeAndFlush(response);
            if (!keepAlive) {
                written.addListener(ChannelFutureListener.CLOSE);
            }
        }

        private static FullHttpResponse text(HttpResponseStatus status, String body, String type) {
            var response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                    Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, type)
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
            return response;
        }
    }
}
