package dev.aimesh.proxy.http;

import java.util.ArrayDeque;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Last handler of a downstream pipeline (an HTTP/1.1 connection, or one HTTP/2 stream): asks the
 * {@link RequestRouter} where each request goes, leases a channel there, and relays the request and the
 * response as they stream, without buffering bodies. Backpressure runs both ways through autoRead.
 * Writes only proxy-made error responses itself. HTTP/1.1 requests are handled one at a time: reading
 * pauses after a request until its response is done, which also serialises pipelined requests.
 */
public final class ExchangeHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(ExchangeHandler.class);
    private static final String RELAY = "aimesh-response-relay";
    private static final int MAX_PIPELINED = 256;

    private final RequestRouter router;
    private final ProxyLimits limits;
    private final boolean downstreamHttp2;

    private ChannelHandlerContext ctx;
    // State of the exchange in progress; all on the downstream channel's event loop.
    private boolean active;
    private boolean discarding;
    private boolean keepAlive;
    private boolean http10;
    private boolean requestDone;
    private boolean responseStarted;
    private long requestBytes;
    private UpstreamLease lease;
    private Consumer<HttpHeaders> trailers;
    private Future<UpstreamLease> pendingLease;
    private ScheduledFuture<?> responseTimer;
    // HTTP/1.1 requests that arrived (in the same read) while one was under way, replayed in order after it.
    private final ArrayDeque<Object> pipelined = new ArrayDeque<>();
    private boolean queueing;
    private final ArrayDeque<HttpContent> pending = new ArrayDeque<>();
    // A request whose body is read before it is routed (model-aware policy), and how much of it is in.
    private HttpRequest inspected;
    private Routing.Inspect inspection;
    private int inspectedBytes;

    public ExchangeHandler(RequestRouter router, ProxyLimits limits, boolean downstreamHttp2) {
        this.router = router;
        this.limits = limits;
        this.downstreamHttp2 = downstreamHttp2;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (queueing || (active && msg instanceof HttpRequest)) {
            queueing = true;
            pipelined.add(msg);
            if (pipelined.size() > MAX_PIPELINED) {
                refuse(HttpResponseStatus.TOO_MANY_REQUESTS, "pipelining-limit", "more than " + MAX_PIPELINED
                        + " pipelined request parts are waiting");
            }
            return;
        }
        if (msg instanceof HttpRequest request) {
            startExchange(request); // a FullHttpRequest (HTTP/2 HEADERS with END_STREAM) carries its whole body
        } else if (msg instanceof HttpContent content) {
            requestContent(content);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    private void startExchange(HttpRequest request) {
        if (active) {
            ReferenceCountUtil.release(request);
            refuse(HttpResponseStatus.BAD_REQUEST, "protocol-error", "a request arrived before the previous one finished");
            return;
        }
        active = true;
        discarding = false;
        requestDone = false;
        responseStarted = false;
        requestBytes = 0;
        keepAlive = downstreamHttp2 || HttpUtil.isKeepAlive(request);
        http10 = !downstreamHttp2 && request.protocolVersion().equals(HttpVersion.HTTP_1_0);
        if (request instanceof LastHttpContent full) {
            requestDone = true;
            requestBytes = full.content().readableBytes();
            if (!downstreamHttp2) {
                ctx.channel().config().setAutoRead(false);
            }
        }
        Routing routing = checkFraming(request);
        if (routing == null) {
            routing = ExpectContinue.check(request);
        }
        if (routing == null) {
            routing = router.route(ctx.channel(), request);
        }
        dispatch(request, routing);
    }

    private void dispatch(HttpRequest request, Routing routing) {
        switch (routing) {
            case Routing.Refuse refuse -> {
                ReferenceCountUtil.release(request);
                drainPending();
                refuse(refuse.status(), refuse.code(), refuse.message());
            }
            case Routing.Inspect inspect -> {
                ExpectContinue.proceed(ctx, request, !requestDone);
                inspected = request;
                inspection = inspect;
                inspectedBytes = 0;
                if (request instanceof LastHttpContent full) {
                    inspectedBytes = full.content().readableBytes();
                    finishInspection();
                }
            }
            case Routing.Forward forward -> {
                ExpectContinue.proceed(ctx, forward.request(), !requestDone);
                if (downstreamHttp2) {
                    // After the frames read with the HEADERS: a stream reset in the same read (rapid reset) costs no
                    // upstream connection, not even a place in a pool's queue.
                    ctx.channel().config().setAutoRead(false);
                    ctx.executor().execute(() -> forward(forward));
                } else {
                    forward(forward);
                }
            }
        }
    }

    private void forward(Routing.Forward forward) {
        if (!ctx.channel().isActive()) {
            ReferenceCountUtil.release(forward.request());
            return;
        }
        Future<UpstreamLease> leased = forward.upstream().acquire(ctx.channel().eventLoop());
        if (leased.isDone()) {
            upstreamReady(leased, forward);
        } else {
            pendingLease = leased; // cancelled if the downstream goes first (a reset stream costs no upstream)
            ctx.channel().config().setAutoRead(false); // hold the body until there is somewhere to send it
            leased.addListener(f -> upstreamReady(leased, forward));
        }
    }

    /** Refuses what no upstream should see: malformed or oversized heads, ambiguous body framing. */
    private Routing checkFraming(HttpRequest request) {
        DecoderResult result = request.decoderResult();
        if (result.isFailure()) {
            Throwable cause = result.cause();
            if (cause instanceof TooLongHttpLineException) {
                return new Routing.Refuse(HttpResponseStatus.REQUEST_URI_TOO_LONG, "request-line-too-long",
                        "the request line is longer than " + limits.maxRequestLineBytes() + " bytes");
            }
            if (cause instanceof TooLongHttpHeaderException || cause instanceof TooLongFrameException) {
                return new Routing.Refuse(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "headers-too-large",
                        "the request headers are larger than " + limits.maxHeaderBytes() + " bytes");
            }
            return new Routing.Refuse(HttpResponseStatus.BAD_REQUEST, "malformed-request",
                    "malformed request: " + cause.getMessage());
        }
        var headers = request.headers();
        if (headers.contains(HttpHeaderNames.TRANSFER_ENCODING) && headers.contains(HttpHeaderNames.CONTENT_LENGTH)) {
            return new Routing.Refuse(HttpResponseStatus.BAD_REQUEST, "ambiguous-framing",
                    "the request has both Content-Length and Transfer-Encoding");
        }
        if (headers.getAll(HttpHeaderNames.CONTENT_LENGTH).size() > 1) {
            return new Routing.Refuse(HttpResponseStatus.BAD_REQUEST, "ambiguous-framing", "the request has several Content-Length headers");
        }
        if (HttpUtil.getContentLength(request, 0L) > limits.maxRequestBodyBytes() || requestBytes > limits.maxRequestBodyBytes()) {
            return new Routing.Refuse(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "body-too-large",
                    "the request body is larger than " + limits.maxRequestBodyBytes() + " bytes");
        }
        return null;
    }

    private void upstreamReady(Future<UpstreamLease> leased, Routing.Forward forward) {
        if (pendingLease == leased) {
            pendingLease = null;
        }
        if (leased.isCancelled()) {
            ReferenceCountUtil.release(forward.request());
            return;
        }
        if (!leased.isSuccess()) {
            ReferenceCountUtil.release(forward.request());
            boolean full = leased.cause() instanceof UpstreamPoolFull;
            log.warn("cannot reach {}: {}", forward.upstream().describe(), leased.cause().toString());
            refuse(HttpResponseStatus.SERVICE_UNAVAILABLE, full ? "upstream-pool-full" : "upstream-unavailable",
                    (full ? "" : "cannot reach " + forward.upstream().describe() + ": ") + leased.cause().getMessage());
            drainPending();
            return;
        }
        UpstreamLease upstream = leased.getNow();
        if (!active || !ctx.channel().isActive()) {
            ReferenceCountUtil.release(forward.request());
            upstream.release(true); // nothing was sent on it: it stays usable
            return;
        }
        lease = upstream;
        responseTimer = ctx.executor().schedule(() -> responseTimedOut(upstream), limits.responseTimeout().toMillis(),
                TimeUnit.MILLISECONDS);
        Channel channel = upstream.channel();
        channel.pipeline().addLast(RELAY, new ResponseRelay());
        HttpRequest request = forward.request();
        trailers = forward.trailers();
        if (request instanceof LastHttpContent full) {
            withoutForbiddenTrailers(full);
        }
        if (upstream.http2()) {
            Framing.forHttp2(request);
        } else {
            Framing.forHttp1(request);
        }
        channel.write(request);
        while (!pending.isEmpty()) {
            channel.write(withoutForbiddenTrailers(pending.poll()));
        }
        channel.flush();
        if (!requestDone) {
            ctx.channel().config().setAutoRead(true);
        }
    }

    private void requestContent(HttpContent content) {
        boolean last = content instanceof LastHttpContent;
        if (discarding || !active) {
            content.release();
            if (last) {
                requestDone = true;
                finishIfDone();
            }
            return;
        }
        requestBytes += content.content().readableBytes();
        if (requestBytes > limits.maxRequestBodyBytes()) {
            content.release();
            abortRequest();
            return;
        }
        if (last) {
            requestDone = true;
            if (!downstreamHttp2) {
                ctx.channel().config().setAutoRead(false); // one exchange at a time on HTTP/1.1
            }
        }
        if (inspection != null) {
            pending.add(content);
            inspectedBytes += content.content().readableBytes();
            if (last || inspectedBytes > inspection.maxBytes()) {
                finishInspection();
            }
        } else if (lease == null) {
            pending.add(content);
        } else if (last) {
            lease.channel().writeAndFlush(withoutForbiddenTrailers(content));
        } else {
            lease.channel().write(content);
            if (!lease.channel().isWritable()) {
                ctx.channel().config().setAutoRead(false);
            }
        }
    }

    /** The router's trailer filter applied to the request's last part, the only one with trailers. */
    private HttpContent withoutForbiddenTrailers(HttpContent content) {
        if (content instanceof LastHttpContent last && !last.trailingHeaders().isEmpty()) {
            trailers.accept(last.trailingHeaders());
        }
        return content;
    }

    /** The body is in (or past the cap): the router decides with what was read. */
    private void finishInspection() {
        Routing.Inspect inspect = inspection;
        HttpRequest request = inspected;
        inspection = null;
        inspected = null;
        int length = Math.min(inspectedBytes, inspect.maxBytes());
        byte[] body = new byte[length];
        int at = 0;
        if (request instanceof LastHttpContent full) {
            at = copy(full.content(), body, at);
        }
        for (HttpContent c : pending) {
            at = copy(c.content(), body, at);
        }
        dispatch(request, inspect.decision().decide(body, length, requestDone && inspectedBytes <= inspect.maxBytes()));
    }

    private static int copy(io.netty.buffer.ByteBuf from, byte[] to, int at) {
        int n = Math.min(from.readableBytes(), to.length - at);
        from.getBytes(from.readerIndex(), to, at, n);
        return at + n;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (!(event instanceof MalformedRequest malformed)) {
            ctx.fireUserEventTriggered(event);
            return;
        }
        log.warn("refused a request from {}: {}", ctx.channel().remoteAddress(), malformed.message());
        if (malformed.inBody() || !active) {
            abortExchange(malformed); // the request under way is broken, or there is none
        } else {
            pipelined.add(malformed); // a later pipelined request: answered in its turn
            queueing = true;
        }
    }

    private void abortExchange(MalformedRequest malformed) {
        drainPending();
        if (lease != null) {
            lease.channel().pipeline().remove(RELAY);
            lease.release(false); // the model never sees the rest of a broken request
            lease = null;
        }
        if (!active) {
            responseStarted = false; // the fault is a new request's: none of its answer is out, whatever the last one sent
        }
        active = true;
        refuse(malformed.status(), malformed.code(), malformed.message());
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (lease != null) {
            lease.channel().flush();
        }
        ctx.fireChannelReadComplete();
    }

    private void abortRequest() {
        if (lease != null && !responseStarted) {
            lease.release(false);
            lease = null;
        }
        if (!responseStarted) {
            refuse(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "body-too-large",
                    "the request body is larger than " + limits.maxRequestBodyBytes() + " bytes");
        } else {
            ctx.close();
        }
    }

    /** Answers the request ourselves; the rest of its body is read and dropped. */
    private void refuse(HttpResponseStatus status, String code, String message) {
        discarding = true;
        keepAlive = false;
        if (responseStarted) {
            ctx.close();
            return;
        }
        responseStarted = true;
        HttpResponse response = ErrorResponses.of(ctx.alloc(), status, code, message);
        if (!downstreamHttp2) {
            response.headers().set(HttpHeaderNames.CONNECTION, "close");
        } else if (!requestDone) {
            // RFC 9113 §8.1: a complete answer before the request ends, then NO_ERROR tells the client to stop
            // sending; closing alone would reset with CANCEL, and clients then report the answer as failed.
            // Once the answer is out: in the same read as the answer, a peer proxy's client drops what it buffered.
            ctx.writeAndFlush(response).addListener(f -> ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.NO_ERROR))
                    .addListener(ChannelFutureListener.CLOSE));
            return;
        }
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }

    private void drainPending() {
        if (inspected != null) { // a request still being read for its routing: it goes nowhere now
            ReferenceCountUtil.release(inspected);
            inspected = null;
            inspection = null;
        }
        HttpContent c;
        while ((c = pending.poll()) != null) {
            c.release();
        }
    }

    private void responseTimedOut(UpstreamLease timedOut) {
        if (lease != timedOut || responseStarted) {
            return;
        }
        lease.channel().pipeline().remove(RELAY);
        lease.release(false);
        lease = null;
        log.warn("the upstream did not answer within {} ms", limits.responseTimeout().toMillis());
        refuse(HttpResponseStatus.GATEWAY_TIMEOUT, "upstream-timeout", "the upstream did not answer within "
                + limits.responseTimeout().toSeconds() + "s");
    }

    private void response(HttpObject msg) {
        if (msg instanceof HttpResponse response) {
            responseStarted = true;
            if (responseTimer != null) {
                responseTimer.cancel(false);
            }
            if (downstreamHttp2) {
                HopByHop.strip(response.headers());
                Framing.forHttp2(response);
            } else {
                HopByHop.strip(response.headers());
                Framing.forHttp1(response);
                if (http10 && !Framing.forHttp10(response)) {
                    keepAlive = false; // the end of the connection delimits the body
                }
                if (!keepAlive) {
                    response.headers().set(HttpHeaderNames.CONNECTION, "close");
                }
            }
        }
        boolean last = msg instanceof LastHttpContent;
        ctx.write(msg);
        if (!ctx.channel().isWritable() && lease != null) {
            lease.channel().config().setAutoRead(false);
        }
        if (last) {
            ctx.flush();
            responseDone();
        }
    }

    private void responseDone() {
        UpstreamLease done = lease;
        lease = null;
        if (done != null) {
            done.channel().pipeline().remove(RELAY);
            done.release(requestDone);
        }
        finishIfDone();
    }

    private void finishIfDone() {
        if (!requestDone || lease != null || !responseStarted) {
            return;
        }
        active = false;
        if (!keepAlive) {
            ctx.close();
        } else if (!downstreamHttp2) {
            ctx.channel().config().setAutoRead(true);
            ctx.read();
            replayPipelined();
        }
    }

    private void replayPipelined() {
        queueing = false;
        Object next;
        while ((next = pipelined.peek()) != null) {
            if (active && (next instanceof HttpRequest || next instanceof MalformedRequest)) {
                queueing = true; // wait for the exchange that just started: a later fault is answered after it
                return;
            }
            pipelined.poll();
            if (next instanceof MalformedRequest malformed) {
                abortExchange(malformed);
                return;
            }
            channelRead(ctx, next);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (lease != null) {
            lease.channel().config().setAutoRead(ctx.channel().isWritable());
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (responseTimer != null) {
            responseTimer.cancel(false);
        }
        if (pendingLease != null) {
            pendingLease.cancel(false);
        }
        drainPending();
        pipelined.forEach(ReferenceCountUtil::release);
        pipelined.clear();
        if (lease != null) {
            lease.channel().pipeline().remove(RELAY);
            lease.release(false);
            lease = null;
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("downstream {} failed: {}", ctx.channel(), cause.toString());
        ctx.close();
    }

    /** On the upstream channel: hands the response back to the exchange. */
    private final class ResponseRelay extends ChannelInboundHandlerAdapter {
        /** In an interim (1xx) response, which is dropped: the relay passes one final response per exchange. */
        private boolean inInterim;

        @Override
        public void channelRead(ChannelHandlerContext upstream, Object msg) {
            if (msg instanceof HttpResponse interim && interim.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
                inInterim = !(msg instanceof LastHttpContent); // HTTP/1: its end follows; HTTP/2: one message
                ReferenceCountUtil.release(msg);
            } else if (inInterim && msg instanceof LastHttpContent) {
                inInterim = false;
                ReferenceCountUtil.release(msg);
            } else if (msg instanceof HttpObject http && lease != null) {
                response(http);
            } else {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext upstream) {
            ctx.flush(); // stream as it arrives: server-sent events reach the client token by token
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext upstream) {
            if (!requestDone) {
                ctx.channel().config().setAutoRead(upstream.channel().isWritable());
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext upstream) {
            upstreamLost("the upstream closed the connection");
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext upstream, Throwable cause) {
            upstreamLost(cause.toString());
        }

        private void upstreamLost(String why) {
            if (lease == null) {
                return;
            }
            UpstreamLease lost = lease;
            lease = null;
            lost.release(false);
            log.debug("upstream lost mid-exchange: {}", why);
            if (responseStarted) {
                ctx.close(); // cannot un-send a partial response: the client must see it fail
            } else {
                refuse(HttpResponseStatus.BAD_GATEWAY, "upstream-reset", "the upstream ended the exchange: " + why);
            }
        }
    }
}
