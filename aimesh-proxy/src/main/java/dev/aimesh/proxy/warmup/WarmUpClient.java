package dev.aimesh.proxy.warmup;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import dev.aimesh.proxy.net.EventLoops;

/**
 * The app of a warm-up: it calls the outbound listener as an OpenAI client would (a chat completion with a JSON
 * body), over HTTP/1.1 keep-alive connections and over streams of one HTTP/2 connection with prior knowledge,
 * each calling again as soon as it is answered, until the deadline or the exchange count is reached or a call
 * fails. Counts what was answered 200 and what was not.
 */
final class WarmUpClient {
    private static final byte[] BODY = "{\"model\":\"warm-up\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello!\"}],\"max_tokens\":16}"
            .getBytes(StandardCharsets.US_ASCII);
    private static final String PATH = "/v1/chat/completions";

    private final EventLoops loops;
    private final InetSocketAddress target;
    private final String host;
    private final long deadline;
    private final int maxExchanges;
    private final AtomicInteger started = new AtomicInteger();
    final AtomicInteger http1 = new AtomicInteger();
    final AtomicInteger http2 = new AtomicInteger();
    final AtomicInteger failed = new AtomicInteger();

    WarmUpClient(EventLoops loops, InetSocketAddress target, String host, long deadlineNanos, int maxExchanges) {
        this.loops = loops;
        this.target = target;
        this.host = host;
        this.deadline = deadlineNanos;
        this.maxExchanges = maxExchanges;
    }

    /** Starts the connections; each future completes when its connection has closed. */
    List<Future<?>> start(int http1Connections, int http2Streams) {
        List<Future<?>> done = new ArrayList<>();
        for (int i = 0; i < http1Connections; i++) {
            done.add(connect(new ChannelInitializer<Channel>() {
                @Override
                protected void initChannel(Channel ch) {
                    ch.pipeline().addLast(new HttpClientCodec(), new Http1Calls());
                }
            }));
        }
        if (http2Streams > 0) {
            done.add(connect(new ChannelInitializer<Channel>() {
                @Override
                protected void initChannel(Channel ch) {
                    ch.pipeline().addLast(Http2FrameCodecBuilder.forClient().build(),
                            new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()), new Http2Calls(http2Streams));
                }
            }));
        }
        return done;
    }

    private Future<?> connect(ChannelInitializer<Channel> pipeline) {
        ChannelFuture connected = new Bootstrap().group(loops.group()).channel(loops.channel())
                .option(ChannelOption.TCP_NODELAY, true).handler(pipeline).connect(target);
        Promise<Void> closed = connected.channel().eventLoop().newPromise();
        connected.addListener(f -> {
            if (!f.isSuccess()) {
                failed.incrementAndGet();
                closed.trySuccess(null);
            }
        });
        connected.channel().closeFuture().addListener(f -> closed.trySuccess(null));
        return closed;
    }

    /** Whether another call may start: before the deadline and the count, and while none failed. */
    private boolean another() {
        return failed.get() == 0 && System.nanoTime() - deadline < 0 && started.incrementAndGet() <= maxExchanges;
    }

    private FullHttpRequest http1Request() {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, PATH,
                Unpooled.wrappedBuffer(BODY));
        request.headers().set(HttpHeaderNames.HOST, host).set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .set(HttpHeaderNames.ACCEPT, HttpHeaderValues.APPLICATION_JSON).set(HttpHeaderNames.USER_AGENT, "aimesh-warm-up")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, BODY.length);
        return request;
    }

    private final class Http1Calls extends SimpleChannelInboundHandler<HttpObject> {
        private boolean ok;

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            next(ctx);
        }

        private void next(ChannelHandlerContext ctx) {
            if (another()) {
                ctx.writeAndFlush(http1Request());
            } else {
                ctx.close();
            }
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            if (msg instanceof HttpResponse response) {
                ok = response.status().code() == 200;
                if (!ok) {
                    failed.incrementAndGet();
                }
            }
            if (msg instanceof LastHttpContent) {
                if (ok) {
                    http1.incrementAndGet();
                }
                next(ctx);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            failed.incrementAndGet();
            ctx.close();
        }
    }

    /** Keeps {@code streams} calls open on the connection, one stream each; closes it after the last. */
    private final class Http2Calls extends ChannelInboundHandlerAdapter {
        private final int streams;
        private int open;

        Http2Calls(int streams) {
            this.streams = streams;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            for (int i = 0; i < streams; i++) {
                next(ctx.channel());
            }
            ctx.fireChannelActive();
        }

        private void next(Channel connection) {
            if (!another()) {
                if (open == 0) {
                    connection.close();
                }
                return;
            }
            open++;
            new Http2StreamChannelBootstrap(connection).handler(new StreamCall(connection)).open().addListener(f -> {
                if (!f.isSuccess()) {
                    failed.incrementAndGet();
                    ended(connection);
                    return;
                }
                Channel stream = (Channel) f.getNow();
                stream.write(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().method("POST").path(PATH).scheme("http")
                        .authority(host).set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                        .set(HttpHeaderNames.USER_AGENT, "aimesh-warm-up").setInt(HttpHeaderNames.CONTENT_LENGTH, BODY.length)));
                stream.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(BODY), true));
            });
        }

        private void ended(Channel connection) {
            open--;
            next(connection);
        }

        private final class StreamCall extends SimpleChannelInboundHandler<Http2StreamFrame> {
            private final Channel connection;
            private boolean ok;
            /** Answered 200 to its end; a stream that closes otherwise is a failed call. */
            private boolean answered;

            StreamCall(Channel connection) {
                this.connection = connection;
            }

            @Override
            protected void channelRead0(ChannelHandlerContext ctx, Http2StreamFrame frame) {
                if (frame instanceof Http2HeadersFrame headers && headers.headers().status() != null) {
                    ok = headers.headers().status().toString().equals("200");
                }
                boolean ended = frame instanceof Http2HeadersFrame headers ? headers.isEndStream()
                        : frame instanceof Http2DataFrame data && data.isEndStream();
                if (ended) {
                    answered = ok;
                    if (ok) {
                        http2.incrementAndGet();
                    }
                    ctx.close();
                }
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) {
                if (!answered) {
                    failed.incrementAndGet();
                }
                ended(connection);
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                failed.incrementAndGet();
                ctx.close();
            }
        }
    }
}
