package dev.aimesh.proxy.http;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
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
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import dev.aimesh.proxy.filter.ChainStep;
import dev.aimesh.proxy.filter.ExchangeContext;
import dev.aimesh.proxy.filter.FilterChain;
import dev.aimesh.proxy.filter.FilterDecision;
import dev.aimesh.proxy.filter.HeaderMap;
import dev.aimesh.proxy.filter.PeerIdentity;
import dev.aimesh.proxy.filter.RequestHead;
import dev.aimesh.proxy.filter.ResponseHead;
import dev.aimesh.proxy.headers.Http1RequestHead;
import dev.aimesh.proxy.headers.Http1ResponseHead;
import dev.aimesh.proxy.headers.Http2RequestHead;
import dev.aimesh.proxy.headers.Http2ResponseHead;
import dev.aimesh.proxy.net.DeadlineList;
import dev.aimesh.proxy.net.LoopDeadlines;
import dev.aimesh.proxy.snapshot.ProxySnapshot;
import dev.aimesh.proxy.snapshot.SnapshotHolder;

/**
 * Last handler of a downstream pipeline (an HTTP/1.1 connection of HttpObjects, or one HTTP/2 stream of frames): runs each exchange
 * through the {@link FilterChain} of the policy snapshot current when its head arrived (that snapshot decides
 * the whole exchange), leases a channel to the upstream the chain's route picked, and relays the request and
 * the response as they stream, without buffering bodies (but for a body a filter holds, up to its cap).
 * Only the phases some filter asked for are shown to the chain. Backpressure runs both ways through autoRead.
 * Writes only proxy-made error responses itself. HTTP/1.1 requests are handled one at a time: reading
 * pauses after a request until its response is done, which also serialises pipelined requests.
 * Each part goes on in the form its hop carried it; it is translated ({@link HttpTranslation}) only where the
 * upstream speaks another HTTP version than the downstream, so between two HTTP/2 hops frames pass as they are.
 */
public final class ExchangeHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(ExchangeHandler.class);
    private static final int MAX_PIPELINED = 256;
    /** How long a client refused while waiting for 100 Continue has to end its HTTP/2 stream before it is reset. */
    static final Duration EXPECT_REFUSAL_LINGER = Duration.ofSeconds(5);

    private final SnapshotHolder.Source chains;
    private final ProxyLimits limits;
    private final boolean downstreamHttp2;

    private ChannelHandlerContext ctx;
    private String scheme;
    // The exchange under way: its chain (from its snapshot), context and request head as filters see it.
    private FilterChain chain;
    private ExchangeContext exchange;
    private RequestHead head;
    private int status;
    private long responseBytes;
    private long firstResponseNanos;
    // State of the exchange in progress; all on the downstream channel's event loop.
    private boolean active;
    private boolean discarding;
    private boolean keepAlive;
    private boolean http10;
    private boolean requestDone;
    private boolean responseStarted;
    /** A filter ended the response before the upstream did: the upstream's exchange is given up, not reused. */
    private boolean responseCut;
    private long requestBytes;
    private UpstreamLease lease;
    private Future<UpstreamLease> pendingLease;
    /** On the loop's one timer ({@link LoopDeadlines}), not a scheduled task per request. */
    private DeadlineList.Entry responseDeadline;
    /** Receives the leased upstream's answer, through the {@link UpstreamRelay} it is attached to. */
    private final ResponseRelay relay = new ResponseRelay();
    private UpstreamRelay attached;
    /** A refused request whose client waits for 100 Continue: it sent no body and will send none. */
    private boolean awaitingContinue;
    /** The write of the response's end, which a connection that does not stay open closes after. */
    private ChannelFuture lastResponseWrite;
    private ScheduledFuture<?> refusalLinger;
    // HTTP/1.1 requests that arrived (in the same read) while one was under way, replayed in order after it.
    private final ArrayDeque<Object> pipelined = new ArrayDeque<>();
    private boolean queueing;
    /** Body parts (see {@link BodyParts}) read before the exchange had an upstream, or while a filter holds them. */
    private final ArrayDeque<Object> pending = new ArrayDeque<>();
    /** On HTTP/2: the stream's first HEADERS were read, so a later HEADERS frame is its trailers. */
    private boolean requestHeadSeen;
    /** The upstream's final response head was read, so a later HTTP/2 HEADERS frame is its trailers. */
    private boolean responseHeadSeen;
    // A request (HttpRequest or HTTP/2 HEADERS) whose body a filter holds before the chain goes on, the hold,
    // and how much of the body is in.
    private Object held;
    private FilterDecision.Hold hold;
    private int heldBytes;

    // Cached, so that handing them to a filter's decision allocates nothing.
    private final Consumer<Object> toUpstream = this::send;
    private final Consumer<Object> toDownstream = this::reply;

    public ExchangeHandler(SnapshotHolder.Source chains, ProxyLimits limits, boolean downstreamHttp2) {
        this.chains = chains;
        this.limits = limits;
        this.downstreamHttp2 = downstreamHttp2;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.scheme = PeerIdentity.connection(ctx.channel()).pipeline().get(SslHandler.class) != null ? "https" : "http";
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
            startExchange(request); // a FullHttpRequest carries its whole body
        } else if (msg instanceof Http2HeadersFrame frame && !requestHeadSeen) {
            requestHeadSeen = true;
            startExchange(frame);
        } else if (BodyParts.isPart(msg)) {
            if (msg instanceof Http2HeadersFrame trailers) {
                Http2RequestChecks.removeForbidden(trailers.headers());
            }
            requestPart(msg);
        } else {
            ReferenceCountUtil.release(msg); // e.g. RST_STREAM: the stream's end arrives as its channel's
        }
    }

    private void startExchange(Object request) {
        if (active) {
            ReferenceCountUtil.release(request);
            refuse(HttpResponseStatus.BAD_REQUEST, "protocol-error", "a request arrived before the previous one finished");
            return;
        }
        active = true;
        discarding = false;
        requestDone = false;
        awaitingContinue = false;
        lastResponseWrite = null;
        responseStarted = false;
        responseCut = false;
        requestBytes = 0;
        responseBytes = 0;
        status = 0;
        firstResponseNanos = -1;
        String method;
        String target;
        boolean hasBody;
        if (request instanceof Http2HeadersFrame frame) {
            Http2Headers headers = frame.headers();
            keepAlive = true;
            http10 = false;
            requestDone = frame.isEndStream();
            head = new Http2RequestHead(headers);
            method = head.method();
            target = head.path();
            hasBody = !frame.isEndStream();
        } else {
            HttpRequest http1 = (HttpRequest) request;
            keepAlive = HttpUtil.isKeepAlive(http1);
            http10 = http1.protocolVersion().equals(HttpVersion.HTTP_1_0);
            if (http1 instanceof LastHttpContent full) {
                requestDone = true;
                requestBytes = full.content().readableBytes();
                ctx.channel().config().setAutoRead(false);
            }
            head = new Http1RequestHead(http1, scheme);
            method = http1.method().name();
            target = http1.uri();
            hasBody = hasBody(http1);
        }
        ProxySnapshot snapshot = chains.holder().current(); // read once: this exchange is decided with it to its end
        chain = snapshot.chain(chains.side());
        exchange = chain.start(snapshot, ctx.channel(), method, target, hasBody);
        ChainStep step = checkFraming(request);
        if (step == null) {
            step = ExpectContinue.check(head, http10);
        }
        if (step == null) {
            step = chain.requestHeaders(exchange, head);
        }
        dispatch(request, step);
    }

    /** Whether an HTTP/1.1 request has a body: it says so with Content-Length or Transfer-Encoding. */
    private static boolean hasBody(HttpRequest request) {
        if (request instanceof LastHttpContent full) {
            return full.content().isReadable();
        }
        return HttpUtil.isTransferEncodingChunked(request) || HttpUtil.getContentLength(request, -1L) > 0;
    }

    private void dispatch(Object request, ChainStep step) {
        if (step instanceof ChainStep.Forward forward) { // the common case first, without a type switch
            proceed(request, forward);
            return;
        }
        switch (step) {
            case FilterDecision.Respond refuse -> {
                awaitingContinue = !requestDone && pending.isEmpty() && ExpectContinue.expected(head);
                ReferenceCountUtil.release(request);
                drainPending();
                refuse(HttpResponseStatus.valueOf(refuse.status()), refuse.code(), refuse.message(), refuse.headers());
            }
            case FilterDecision.Hold holding -> {
                ExpectContinue.proceed(ctx, head, !requestDone, downstreamHttp2);
                held = request;
                hold = holding;
                heldBytes = 0;
                for (Object part : pending) {
                    heldBytes += BodyParts.content(part).readableBytes();
                }
                if (request instanceof LastHttpContent full) {
                    heldBytes += full.content().readableBytes();
                }
                if (requestDone || heldBytes > holding.maxBytes()) {
                    finishHold();
                }
            }
            case ChainStep.Forward forward -> proceed(request, forward);
        }
    }

    private void proceed(Object request, ChainStep.Forward forward) {
        ExpectContinue.proceed(ctx, head, !requestDone, downstreamHttp2);
        if (downstreamHttp2) {
            // After the frames read with the HEADERS: a stream reset in the same read (rapid reset) costs no
            // upstream connection, not even a place in a pool's queue.
            ctx.channel().config().setAutoRead(false);
            ctx.executor().execute(() -> forward(forward.upstream(), request));
        } else {
            forward(forward.upstream(), request);
        }
    }

    private void forward(UpstreamConnector upstream, Object request) {
        if (!ctx.channel().isActive()) {
            ReferenceCountUtil.release(request);
            return;
        }
        Future<UpstreamLease> leased = upstream.acquire(ctx.channel().eventLoop());
        if (leased.isDone()) {
            upstreamReady(leased, upstream, request);
        } else {
            pendingLease = leased; // cancelled if the downstream goes first (a reset stream costs no upstream)
            ctx.channel().config().setAutoRead(false); // hold the body until there is somewhere to send it
            leased.addListener(f -> upstreamReady(leased, upstream, request));
        }
    }

    /** Refuses what no upstream should see: malformed or oversized heads, ambiguous body framing. */
    private FilterDecision.Respond checkFraming(Object request) {
        if (request instanceof Http2HeadersFrame frame) {
            FilterDecision.Respond refused = Http2RequestChecks.check(frame.headers(), limits);
            if (refused != null) {
                return refused;
            }
        } else {
            FilterDecision.Respond refused = checkHttp1(((HttpRequest) request).decoderResult());
            if (refused != null) {
                return refused;
            }
            if (head.contains(HttpHeaderNames.TRANSFER_ENCODING) && head.contains(HttpHeaderNames.CONTENT_LENGTH)) {
                return new FilterDecision.Respond(400, "ambiguous-framing",
                        "the request has both Content-Length and Transfer-Encoding");
            }
        }
        List<String> lengths = head.getAll(HttpHeaderNames.CONTENT_LENGTH);
        if (lengths.size() > 1) {
            return new FilterDecision.Respond(400, "ambiguous-framing", "the request has several Content-Length headers");
        }
        long length;
        try {
            length = lengths.isEmpty() ? 0 : Long.parseLong(lengths.get(0).strip());
        } catch (NumberFormatException e) {
            return new FilterDecision.Respond(400, "malformed-request", "malformed request: the Content-Length is not a number");
        }
        if (length > limits.maxRequestBodyBytes() || requestBytes > limits.maxRequestBodyBytes()) {
            return new FilterDecision.Respond(413, "body-too-large",
                    "the request body is larger than " + limits.maxRequestBodyBytes() + " bytes");
        }
        return null;
    }

    /** What HTTP/1.1's decoder and {@link RequestHeadChecksHandler} found wrong with the head, or null. */
    private FilterDecision.Respond checkHttp1(DecoderResult result) {
        if (!result.isFailure()) {
            return null;
        }
        Throwable cause = result.cause();
        if (cause instanceof TooLongHttpLineException) {
            return new FilterDecision.Respond(414, "request-line-too-long",
                    "the request line is longer than " + limits.maxRequestLineBytes() + " bytes");
        }
        if (cause instanceof TooLongHttpHeaderException || cause instanceof TooLongFrameException) {
            return new FilterDecision.Respond(431, "headers-too-large",
                    "the request headers are larger than " + limits.maxHeaderBytes() + " bytes");
        }
        return new FilterDecision.Respond(400, "malformed-request", "malformed request: " + cause.getMessage());
    }

    private void upstreamReady(Future<UpstreamLease> leased, UpstreamConnector connector, Object request) {
        if (pendingLease == leased) {
            pendingLease = null;
        }
        if (leased.isCancelled()) {
            ReferenceCountUtil.release(request);
            return;
        }
        if (!leased.isSuccess()) {
            ReferenceCountUtil.release(request);
            boolean full = leased.cause() instanceof UpstreamPoolFull;
            log.warn("cannot reach {}: {}", connector.describe(), leased.cause().toString());
            refuse(HttpResponseStatus.SERVICE_UNAVAILABLE, full ? "upstream-pool-full" : "upstream-unavailable",
                    (full ? "" : "cannot reach " + connector.describe() + ": ") + leased.cause().getMessage());
            drainPending();
            return;
        }
        UpstreamLease upstream = leased.getNow();
        if (!active || !ctx.channel().isActive()) {
            ReferenceCountUtil.release(request);
            upstream.release(true); // nothing was sent on it: it stays usable
            return;
        }
        if (request instanceof LastHttpContent full) {
            request = throughChain(full, true, true);
            if (request == null) {
                upstream.release(true); // nothing was sent on it
                drainPending();
                return;
            }
        }
        lease = upstream;
        responseDeadline = LoopDeadlines.of(ctx.executor()).after(limits.responseTimeout(), () -> responseTimedOut(upstream));
        Channel channel = upstream.channel();
        // A pooled connection may come back paused by the exchange before (its client read slowly, and the
        // answer ended before it caught up): unpaused, or this exchange's answer is never read.
        channel.config().setAutoRead(true);
        attached = UpstreamRelay.of(channel);
        relay.inInterim = false;
        responseHeadSeen = false;
        attached.attach(relay);
        if (request instanceof Http2HeadersFrame frame && frame.isEndStream() && chain.hasRequestBodyHooks()) {
            request = endedWithHeaders(frame, toUpstream, chain.requestBody(exchange, Unpooled.EMPTY_BUFFER, true));
            if (request == null) {
                return;
            }
        }
        if (!sendHead(request)) {
            return;
        }
        Object next;
        while ((next = pending.poll()) != null) {
            next = throughChain(next, BodyParts.last(next), true);
            if (next == null) {
                return; // a filter answered: the lease is gone, the rest dropped
            }
            send(next);
        }
        channel.flush();
        if (!requestDone) {
            ctx.channel().config().setAutoRead(true);
        }
    }

    /**
     * HTTP/2 HEADERS that end their stream, after the body hooks saw the empty body that ends there: what to send
     * next, or null when a filter answered instead. When a filter gave a body, HEADERS that leave the stream open
     * go out through {@code out} and the body, as the DATA that ends the stream, is what to send next.
     */
    private Object endedWithHeaders(Http2HeadersFrame frame, Consumer<Object> out, FilterDecision decision) {
        switch (decision) {
            case FilterDecision.ReplaceChunk replace when replace.chunk().isReadable() -> {
                out.accept(new DefaultHttp2HeadersFrame(frame.headers(), false));
                return new DefaultHttp2DataFrame(replace.chunk(), true);
            }
            case FilterDecision.ReplaceChunk replace -> {
                replace.chunk().release();
                return frame;
            }
            case FilterDecision.Respond respond -> {
                answerInstead(respond);
                return null;
            }
            default -> {
                return frame;
            }
        }
    }

    /**
     * Writes the request's head to the leased upstream, translated when it speaks the other version; false when it
     * cannot be (the exchange then answered 400).
     */
    private boolean sendHead(Object request) {
        Channel channel = lease.channel();
        if (request instanceof HttpRequest http1) {
            if (lease.http2()) {
                HttpTranslation.writeHead(channel, http1, HttpTranslation.requestHeaders(http1, HttpTranslation.scheme(channel)));
            } else {
                Framing.forHttp1(http1);
                channel.write(http1);
            }
            return true;
        }
        if (!(request instanceof Http2HeadersFrame frame)) {
            send(request); // the DATA a filter gave a request that had ended with its HEADERS (see endedWithHeaders)
            return true;
        }
        if (lease.http2()) {
            channel.write(HttpTranslation.relayed(frame));
            return true;
        }
        HttpRequest http1;
        try {
            http1 = HttpTranslation.request(frame.headers(), frame.isEndStream());
        } catch (Http2Exception e) {
            answerInstead(new FilterDecision.Respond(400, "malformed-request", "malformed request: " + e.getMessage()));
            return false;
        }
        Framing.forHttp1(http1);
        channel.write(http1);
        return true;
    }

    /** Writes a request part to the leased upstream in its version. */
    private void send(Object part) {
        Channel channel = lease.channel();
        if (part instanceof Http2HeadersFrame reopened && !reopened.isEndStream()) { // a head again: see endedWithHeaders
            sendHead(reopened);
        } else if (part instanceof HttpContent content) {
            if (lease.http2()) {
                HttpTranslation.writeBody(channel, content);
            } else {
                channel.write(content);
            }
        } else {
            Http2StreamFrame frame = (Http2StreamFrame) part;
            channel.write(lease.http2() ? HttpTranslation.relayed(frame) : HttpTranslation.body(frame));
        }
    }

    private void requestPart(Object part) {
        boolean last = BodyParts.last(part);
        if (discarding || !active) {
            ReferenceCountUtil.release(part);
            if (last) {
                requestDone = true;
                finishIfDone();
            }
            return;
        }
        int bytes = BodyParts.content(part).readableBytes();
        requestBytes += bytes;
        if (requestBytes > limits.maxRequestBodyBytes()) {
            ReferenceCountUtil.release(part);
            abortRequest();
            return;
        }
        if (last) {
            requestDone = true;
            if (!downstreamHttp2) {
                ctx.channel().config().setAutoRead(false); // one exchange at a time on HTTP/1.1
            }
        }
        if (hold != null) {
            pending.add(part);
            heldBytes += bytes;
            if (last || heldBytes > hold.maxBytes()) {
                finishHold();
            }
        } else if (lease == null) {
            pending.add(part);
        } else {
            Object out = throughChain(part, last, true);
            if (out == null) {
                return;
            }
            send(out);
            if (last) {
                lease.channel().flush();
            } else if (!lease.channel().isWritable()) {
                ctx.channel().config().setAutoRead(false);
            }
        }
    }

    /**
     * A body part on its way (upstream when {@code request}, else downstream) through the filters that asked for
     * that direction's bodies or trailers: the part to send (this one or its replacement), or null when a filter
     * answered instead (the part is released, the exchange refused).
     */
    private Object throughChain(Object part, boolean last, boolean request) {
        ByteBuf content = BodyParts.content(part);
        if ((request ? chain.hasRequestBodyHooks() : chain.hasResponseBodyHooks()) && (content.isReadable() || last)) {
            FilterDecision decision = request ? chain.requestBody(exchange, content, last) : chain.responseBody(exchange, content, last);
            part = applied(decision, part, request ? toUpstream : toDownstream);
            if (part == null) {
                return null;
            }
        }
        if ((request ? chain.hasRequestTrailerHooks() : chain.hasResponseTrailerHooks()) && last) {
            HeaderMap trailers = BodyParts.trailers(part);
            if (trailers != null && (request ? chain.requestTrailers(exchange, trailers) : chain.responseTrailers(exchange, trailers))
                    instanceof FilterDecision.Respond r) {
                ReferenceCountUtil.release(part);
                answerInstead(r);
                return null;
            }
        }
        return part;
    }

    /** A filter answered once the request was under way: the upstream exchange is given up. */
    private void answerInstead(FilterDecision.Respond respond) {
        drainPending();
        if (lease != null && !responseStarted) {
            detachRelay();
            lease.release(false);
            lease = null;
        }
        refuse(HttpResponseStatus.valueOf(respond.status()), respond.code(), respond.message(), respond.headers());
    }

    /** The held body is in (or past the cap): the holding filter decides with what was read, then the chain goes on. */
    private void finishHold() {
        FilterDecision.Hold holding = hold;
        Object request = held;
        hold = null;
        held = null;
        ByteBuf body = heldView(request, Math.min(heldBytes, holding.maxBytes()));
        ChainStep next;
        try {
            next = requestDone && heldBytes <= holding.maxBytes() ? chain.heldBody(exchange, head, body, true)
                    : chain.overCap(exchange, head, holding, body);
        } finally {
            body.release();
        }
        ByteBuf replacement = exchange.takeReplacedBody();
        if (replacement != null) {
            request = withBody(request, replacement);
        }
        dispatch(request, next);
    }

    /**
     * The held request with {@code body} in place of the one read (whole: a filter replaces only a complete body),
     * its length stated anew; trailers stay. Returns the head to send, the body's parts now pending.
     */
    private Object withBody(Object request, ByteBuf body) {
        Object last = pending.peekLast();
        Object trailers = last instanceof Http2HeadersFrame ? pending.pollLast() : null;
        HttpHeaders http1Trailers = last instanceof LastHttpContent end && !end.trailingHeaders().isEmpty()
                ? end.trailingHeaders().copy() : null;
        Object part;
        while ((part = pending.poll()) != null) {
            ReferenceCountUtil.release(part);
        }
        if (request instanceof Http2HeadersFrame frame) {
            if (trailers == null) {
                frame.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
            } else {
                frame.headers().remove(HttpHeaderNames.CONTENT_LENGTH); // as HTTP/1.1 would need: chunked, to carry them
            }
            if (frame.isEndStream() && !body.isReadable()) {
                body.release();
                return frame;
            }
            pending.add(new DefaultHttp2DataFrame(body, trailers == null));
            if (trailers != null) {
                pending.add(trailers);
            }
            return frame.isEndStream() ? new DefaultHttp2HeadersFrame(frame.headers(), false) : frame;
        }
        HttpRequest head = (HttpRequest) request;
        if (head instanceof FullHttpRequest full) {
            head = full.replace(body);
            full.release();
        } else {
            LastHttpContent end = new DefaultLastHttpContent(body);
            if (http1Trailers != null) {
                end.trailingHeaders().set(http1Trailers);
            }
            pending.add(end);
        }
        if (http1Trailers == null) { // trailers need chunked framing; else the new length is stated
            head.headers().remove(HttpHeaderNames.TRANSFER_ENCODING);
            HttpUtil.setContentLength(head, body.readableBytes());
        }
        return head;
    }

    /** The first {@code length} bytes of the body read so far, as one view over its parts: nothing is copied. */
    private ByteBuf heldView(Object request, int length) {
        if (length == 0) {
            return Unpooled.EMPTY_BUFFER;
        }
        CompositeByteBuf view = ctx.alloc().compositeBuffer(pending.size() + 1);
        int left = length;
        if (request instanceof LastHttpContent full) {
            left = addTo(view, full.content(), left);
        }
        for (Object part : pending) {
            left = addTo(view, BodyParts.content(part), left);
        }
        return view;
    }

    private static int addTo(CompositeByteBuf view, ByteBuf part, int left) {
        int n = Math.min(part.readableBytes(), left);
        if (n > 0) {
            view.addComponent(true, part.retainedSlice(part.readerIndex(), n));
        }
        return left - n;
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
            detachRelay();
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
            detachRelay();
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

    private void refuse(HttpResponseStatus status, String code, String message) {
        refuse(status, code, message, Map.of());
    }

    /** Answers the request ourselves; the rest of its body is read and dropped. */
    private void refuse(HttpResponseStatus status, String code, String message, Map<String, String> headers) {
        discarding = true;
        keepAlive = false;
        if (responseStarted) {
            endExchange(code);
            ctx.close();
            return;
        }
        responseStarted = true;
        this.status = status.code();
        endExchange(code);
        if (!downstreamHttp2) {
            HttpResponse response = ErrorResponses.of(ctx.alloc(), status, code, message, headers);
            response.headers().set(HttpHeaderNames.CONNECTION, "close");
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        ChannelFuture answered = ErrorResponses.writeHttp2(ctx, ctx.alloc(), status, code, message, headers);
        ctx.flush();
        if (awaitingContinue) {
            // The final answer already tells a client waiting for 100 Continue to send no body (RFC 9110 §10.1.1),
            // so it ends the stream itself. A reset in the same read as the answer makes curl (7.88) drop the
            // answer, so NO_ERROR goes out only if the client has not ended the stream a while later.
            refusalLinger = ctx.executor().schedule(() -> ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.NO_ERROR))
                    .addListener(ChannelFutureListener.CLOSE), EXPECT_REFUSAL_LINGER.toMillis(), TimeUnit.MILLISECONDS);
            return;
        } else if (!requestDone) {
            // RFC 9113 §8.1: a complete answer before the request ends, then NO_ERROR tells the client to stop
            // sending; closing alone would reset with CANCEL, and clients then report the answer as failed.
            // Once the answer is out: in the same read as the answer, a peer proxy's client drops what it buffered.
            answered.addListener(f -> ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.NO_ERROR))
                    .addListener(ChannelFutureListener.CLOSE));
            return;
        }
        answered.addListener(ChannelFutureListener.CLOSE);
    }

    private void drainPending() {
        if (held != null) { // a request whose body a filter still holds: it goes nowhere now
            ReferenceCountUtil.release(held);
            held = null;
            hold = null;
        }
        Object part;
        while ((part = pending.poll()) != null) {
            ReferenceCountUtil.release(part);
        }
    }

    /** Before the lease goes back: what its channel reads next is no longer this exchange's. */
    private void detachRelay() {
        if (attached != null) {
            attached.detach();
            attached = null;
        }
    }

    private void responseTimedOut(UpstreamLease timedOut) {
        if (lease != timedOut || responseStarted) {
            return;
        }
        detachRelay();
        lease.release(false);
        lease = null;
        log.warn("the upstream did not answer within {} ms", limits.responseTimeout().toMillis());
        refuse(HttpResponseStatus.GATEWAY_TIMEOUT, "upstream-timeout", "the upstream did not answer within "
                + limits.responseTimeout().toSeconds() + "s");
    }

    private void response(Object msg) {
        if (msg instanceof HttpResponse || msg instanceof Http2HeadersFrame && !responseHeadSeen) {
            responseHeadSeen = true;
            msg = responseHead(msg);
            if (msg == null) {
                return;
            }
            if (msg instanceof Http2HeadersFrame frame) { // both hops speak HTTP/2
                if (!frame.isEndStream()) {
                    reply(frame);
                    pauseUpstreamIfUnwritable();
                    return;
                }
                if (chain.hasResponseBodyHooks()) {
                    msg = endedWithHeaders(frame, toDownstream, chain.responseBody(exchange, Unpooled.EMPTY_BUFFER, true));
                    if (msg == null) {
                        return;
                    }
                }
                lastResponseWrite = reply(msg);
                ctx.flush();
                responseDone();
                return;
            }
            if (!(msg instanceof LastHttpContent)) {
                reply(msg);
                pauseUpstreamIfUnwritable();
                return;
            }
            // a whole HTTP/1 response: its body goes through the body hooks below, as a last part
        }
        boolean last = BodyParts.last(msg);
        msg = throughChain(msg, last, false);
        if (msg == null) {
            return;
        }
        responseBytes += BodyParts.content(msg).readableBytes();
        if (last || responseCut) {
            lastResponseWrite = reply(msg);
            ctx.flush();
            responseDone();
            return;
        }
        reply(msg);
        pauseUpstreamIfUnwritable();
    }

    private void pauseUpstreamIfUnwritable() {
        if (!ctx.channel().isWritable() && lease != null) {
            lease.channel().config().setAutoRead(false);
        }
    }

    /**
     * The upstream's final response head (HttpResponse or HTTP/2 HEADERS) through the filters that asked for it,
     * made ready for the downstream: in its HTTP version, with its framing. Null when a filter answered instead.
     */
    private Object responseHead(Object msg) {
        ResponseHead view = msg instanceof HttpResponse response ? new Http1ResponseHead(response)
                : new Http2ResponseHead(((Http2HeadersFrame) msg).headers());
        if (chain.hasResponseHeaderHooks() && chain.responseHeaders(exchange, view) instanceof FilterDecision.Respond r) {
            ReferenceCountUtil.release(msg);
            answerInstead(r); // nothing of the upstream's answer is out yet: the proxy's goes instead
            return null;
        }
        responseStarted = true;
        status = view.status();
        firstResponseNanos = chain.nanoTime();
        if (responseDeadline != null) {
            responseDeadline.cancel();
        }
        HttpResponse response;
        if (msg instanceof Http2HeadersFrame frame) {
            HopByHop.strip(view);
            if (downstreamHttp2) {
                return frame;
            }
            try {
                response = HttpTranslation.response(frame.headers(), frame.isEndStream());
            } catch (Http2Exception e) {
                responseStarted = false;
                answerInstead(new FilterDecision.Respond(502, "upstream-malformed",
                        "the upstream's response cannot be carried over HTTP/1.1: " + e.getMessage()));
                return null;
            }
        } else {
            response = (HttpResponse) msg;
            HopByHop.strip(response.headers());
        }
        if (!downstreamHttp2) {
            Framing.forHttp1(response);
            if (http10 && !Framing.forHttp10(response)) {
                keepAlive = false; // the end of the connection delimits the body
            }
            if (!keepAlive) {
                response.headers().set(HttpHeaderNames.CONNECTION, "close");
            }
        }
        return response;
    }

    /** Writes a response part to the downstream in its HTTP version; returns the last write. */
    private ChannelFuture reply(Object part) {
        if (part instanceof HttpObject) {
            if (!downstreamHttp2) {
                return ctx.write(part);
            }
            if (part instanceof HttpResponse response) {
                return HttpTranslation.writeHead(ctx, response, HttpTranslation.responseHeaders(response));
            }
            return HttpTranslation.writeBody(ctx, (HttpContent) part);
        }
        Http2StreamFrame frame = (Http2StreamFrame) part;
        return ctx.write(downstreamHttp2 ? HttpTranslation.relayed(frame) : HttpTranslation.body(frame));
    }

    /**
     * A body part as a filter's decision left it: replaced, or null when the filter answered instead (the part
     * released). Bytes given in place of the empty end of HTTP/2 trailers go before them, through {@code out}.
     */
    private Object applied(FilterDecision decision, Object part, Consumer<Object> out) {
        switch (decision) {
            case FilterDecision.ReplaceChunk replace -> {
                if (!(part instanceof Http2HeadersFrame)) {
                    return BodyParts.replace(part, replace.chunk());
                }
                if (replace.chunk().isReadable()) {
                    out.accept(new DefaultHttp2DataFrame(replace.chunk(), false));
                } else {
                    replace.chunk().release();
                }
                return part;
            }
            case FilterDecision.Respond respond -> {
                ReferenceCountUtil.release(part);
                answerInstead(respond);
                return null;
            }
            case FilterDecision.EndResponse end -> {
                responseCut = !BodyParts.last(part);
                discarding |= !requestDone; // what the client still sends has nowhere to go
                return BodyParts.ending(part, end.chunk());
            }
            default -> {
                return part;
            }
        }
    }

    /** The exchange's end, once: the filters that asked hear its outcome. */
    private void endExchange(String reason) {
        if (exchange != null) {
            chain.end(exchange, status, reason, requestBytes, responseBytes, firstResponseNanos);
        }
    }

    private void responseDone() {
        UpstreamLease done = lease;
        lease = null;
        if (done != null) {
            detachRelay();
            done.release(requestDone && !responseCut);
        }
        finishIfDone();
    }

    private void finishIfDone() {
        if (!requestDone || lease != null || !responseStarted) {
            return;
        }
        active = false;
        requestHeadSeen = false; // HTTP/2: the stream is over (a handler that serves another starts afresh)
        endExchange("");
        if (!keepAlive) {
            // Once the answer's last bytes are written: closing now would drop what a slow reader has not taken yet.
            if (lastResponseWrite != null) {
                lastResponseWrite.addListener(ChannelFutureListener.CLOSE);
            } else {
                ctx.close();
            }
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
        if (active) {
            endExchange("downstream-closed");
        }
        if (responseDeadline != null) {
            responseDeadline.cancel();
        }
        if (refusalLinger != null) {
            refusalLinger.cancel(false);
        }
        if (pendingLease != null) {
            pendingLease.cancel(false);
        }
        drainPending();
        pipelined.forEach(ReferenceCountUtil::release);
        pipelined.clear();
        if (lease != null) {
            detachRelay();
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

    /** Hands the leased upstream's response back to the exchange. */
    private final class ResponseRelay implements UpstreamRelay.Receiver {
        /** In an interim (1xx) response, which is dropped: the relay passes one final response per exchange. */
        private boolean inInterim;

        @Override
        public void read(Object msg) {
            if (msg instanceof HttpResponse interim && interim.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
                inInterim = !(msg instanceof LastHttpContent); // its end follows
                ReferenceCountUtil.release(msg);
            } else if (inInterim && msg instanceof LastHttpContent) {
                inInterim = false;
                ReferenceCountUtil.release(msg);
            } else if (msg instanceof Http2HeadersFrame frame && !responseHeadSeen && informational(frame.headers().status())) {
                // an interim HTTP/2 response is one HEADERS frame: dropped too (not reference-counted)
            } else if ((msg instanceof HttpObject || msg instanceof Http2DataFrame || msg instanceof Http2HeadersFrame)
                    && lease != null) {
                response(msg);
            } else {
                ReferenceCountUtil.release(msg);
            }
        }

        private static boolean informational(CharSequence status) {
            return status != null && status.length() == 3 && status.charAt(0) == '1';
        }

        @Override
        public void readComplete() {
            ctx.flush(); // stream as it arrives: server-sent events reach the client token by token
        }

        @Override
        public void writabilityChanged(boolean writable) {
            if (!requestDone) {
                ctx.channel().config().setAutoRead(writable);
            }
        }

        @Override
        public void lost(String why) {
            if (lease == null) {
                return;
            }
            UpstreamLease lost = lease;
            lease = null;
            detachRelay();
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
