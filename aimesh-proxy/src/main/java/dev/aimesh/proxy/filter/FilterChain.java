package dev.aimesh.proxy.filter;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import dev.aimesh.core.audit.SecurityEvent;
import dev.aimesh.proxy.filter.common.SecurityEventSink;
import dev.aimesh.proxy.snapshot.ProxySnapshot;

/**
 * One side's filters in order, ending in its {@link Route}: assembled once per policy snapshot and shared by
 * every exchange that starts under it, on HTTP/1.1 and HTTP/2 alike. The hooks each filter asked for are kept
 * as index arrays made here, so a phase no filter asked for costs an empty loop.
 *
 * <p>A filter that throws (or returns a decision its hook cannot return) fails its own exchange closed: the
 * client gets 500 {@code filter-failed}, the failure is logged and reported as a security event, and nothing
 * else is touched.
 */
public final class FilterChain {
    private static final Logger log = LoggerFactory.getLogger(FilterChain.class);
    /** What the client of an exchange whose filter failed is told; the reason stays in the log and the event. */
    static final String FAILED = "filter-failed";

    private final HttpFilter[] filters;
    private final int[] requestBody;
    private final int[] requestTrailers;
    private final int[] responseHeaders;
    private final int[] responseBody;
    private final int[] responseTrailers;
    private final int[] end;
    private final Route route;
    private final SecurityEventSink events;
    private final LongSupplier nanoTime;

    public FilterChain(List<HttpFilter> filters, Route route, SecurityEventSink events) {
        this(filters, route, events, System::nanoTime);
    }

    /** @param nanoTime the monotonic clock the outcome's durations are measured with */
    public FilterChain(List<HttpFilter> filters, Route route, SecurityEventSink events, LongSupplier nanoTime) {
        this.filters = filters.toArray(HttpFilter[]::new);
        this.route = requireNonNull(route, "route");
        this.events = requireNonNull(events, "events");
        this.nanoTime = requireNonNull(nanoTime, "nanoTime");
        this.requestBody = indexes(HttpFilter.REQUEST_BODY);
        this.requestTrailers = indexes(HttpFilter.REQUEST_TRAILERS);
        this.responseHeaders = indexes(HttpFilter.RESPONSE_HEADERS);
        this.responseBody = indexes(HttpFilter.RESPONSE_BODY);
        this.responseTrailers = indexes(HttpFilter.RESPONSE_TRAILERS);
        this.end = indexes(HttpFilter.END);
    }

    private int[] indexes(int hook) {
        int n = 0;
        int[] all = new int[filters.length];
        for (int i = 0; i < filters.length; i++) {
            if ((filters[i].hooks() & hook) != 0) {
                all[n++] = i;
            }
        }
        return java.util.Arrays.copyOf(all, n);
    }

    public int size() {
        return filters.length;
    }

    /** The filters' names in order, as {@code docs/proxy.md} lists them. */
    public List<String> names() {
        return java.util.Arrays.stream(filters).map(HttpFilter::name).toList();
    }

    public boolean hasRequestBodyHooks() {
        return requestBody.length > 0;
    }

    public boolean hasRequestTrailerHooks() {
        return requestTrailers.length > 0;
    }

    public boolean hasResponseHeaderHooks() {
        return responseHeaders.length > 0;
    }

    public boolean hasResponseBodyHooks() {
        return responseBody.length > 0;
    }

    public boolean hasResponseTrailerHooks() {
        return responseTrailers.length > 0;
    }

    /**
     * A new exchange under {@code snapshot}, whose chain this must be; its clock starts now.
     *
     * @param hasBody whether a request body follows (or came with) the head
     */
    public ExchangeContext start(ProxySnapshot snapshot, Channel downstream, String method, String target, boolean hasBody) {
        return new ExchangeContext(snapshot, this, downstream, method, target, hasBody, nanoTime.getAsLong());
    }

    /**
     * Runs the request-headers hooks from where the exchange is (the start, or after a hold) and then the route:
     * forward, answer, or hold the body for a filter.
     */
    public ChainStep requestHeaders(ExchangeContext exchange, RequestHead head) {
        for (int i = exchange.resumeAt; i < filters.length; i++) {
            exchange.current = i;
            FilterDecision decision;
            try {
                decision = filters[i].onRequestHeaders(exchange, head);
            } catch (RuntimeException e) {
                return failed(exchange, i, e);
            }
            if (decision == FilterDecision.CONTINUE) {
                continue; // the common case, without a type switch
            }
            switch (decision) {
                case FilterDecision.Continue c -> { }
                case FilterDecision.Respond respond -> {
                    exchange.resumeAt = i + 1;
                    return answered(exchange, respond);
                }
                case FilterDecision.ReplaceHeaders replace -> replace(head, replace);
                case FilterDecision.Hold hold -> {
                    exchange.holder = i;
                    exchange.resumeAt = i + 1;
                    return hold;
                }
                case FilterDecision.ReplaceChunk chunk -> {
                    chunk.chunk().release();
                    return failed(exchange, i, new IllegalStateException("replaced a body chunk from its request-headers hook"));
                }
                case FilterDecision.EndResponse end -> {
                    end.chunk().release();
                    return failed(exchange, i, new IllegalStateException("ended the response from its request-headers hook"));
                }
            }
        }
        exchange.resumeAt = filters.length;
        exchange.current = -1;
        ChainStep step;
        try {
            step = route.pick(exchange, head);
        } catch (RuntimeException e) {
            return failed(exchange, -1, e);
        }
        if (step instanceof ChainStep.Forward forward) {
            return forward;
        }
        return switch (step) {
            case FilterDecision.Respond respond -> answered(exchange, respond);
            case ChainStep.Forward forward -> forward;
            case FilterDecision.Hold hold -> failed(exchange, -1, new IllegalStateException("the route cannot hold the body"));
        };
    }

    /**
     * The body the holding filter asked for is in ({@code complete}) or past its cap: that filter decides, then
     * the request-headers phase goes on after it.
     */
    public ChainStep heldBody(ExchangeContext exchange, RequestHead head, ByteBuf body, boolean complete) {
        int i = exchange.holder;
        if (i < 0) {
            throw new IllegalStateException("no filter holds this exchange's body");
        }
        exchange.holder = -1;
        exchange.current = i;
        FilterDecision decision;
        try {
            decision = filters[i].onHeldRequestBody(exchange, head, body.asReadOnly(), complete);
        } catch (RuntimeException e) {
            return failed(exchange, i, e);
        }
        return switch (decision) {
            case FilterDecision.Continue c -> requestHeaders(exchange, head);
            case FilterDecision.Respond respond -> answered(exchange, respond);
            case FilterDecision.ReplaceHeaders replace -> {
                replace(head, replace);
                yield requestHeaders(exchange, head);
            }
            case FilterDecision.Hold hold -> failed(exchange, i, new IllegalStateException("held the body twice"));
            case FilterDecision.ReplaceChunk chunk when complete -> {
                exchange.replaceBody(chunk.chunk());
                yield requestHeaders(exchange, head);
            }
            case FilterDecision.ReplaceChunk chunk -> {
                chunk.chunk().release();
                yield failed(exchange, i, new IllegalStateException("replaced a body it held only the first bytes of"));
            }
            case FilterDecision.EndResponse end -> {
                end.chunk().release();
                yield failed(exchange, i, new IllegalStateException("ended the response from its held-body hook"));
            }
        };
    }

    /** What went over the cap of the hold in force: the hold's own answer, or the holder decides without it. */
    public ChainStep overCap(ExchangeContext exchange, RequestHead head, FilterDecision.Hold hold, ByteBuf firstBytes) {
        return switch (hold.overCap()) {
            case FilterDecision.OverCap.Refuse refuse -> {
                exchange.holder = -1;
                yield answered(exchange, refuse.answer());
            }
            case FilterDecision.OverCap.ContinueWithout without -> heldBody(exchange, head, firstBytes, false);
        };
    }

    /**
     * A request body chunk through the filters that asked for them: {@link FilterDecision#CONTINUE} (send
     * {@code chunk}), {@link FilterDecision.ReplaceChunk} (send that instead; {@code chunk} is the caller's to
     * release) or {@link FilterDecision.Respond}.
     */
    public FilterDecision requestBody(ExchangeContext exchange, ByteBuf chunk, boolean last) {
        return body(exchange, requestBody, chunk, last, true);
    }

    public FilterDecision responseBody(ExchangeContext exchange, ByteBuf chunk, boolean last) {
        return body(exchange, responseBody, chunk, last, false);
    }

    private FilterDecision body(ExchangeContext exchange, int[] which, ByteBuf chunk, boolean last, boolean request) {
        ByteBuf current = chunk;
        boolean ended = false;
        for (int i : which) {
            exchange.current = i;
            FilterDecision decision;
            try {
                decision = request ? filters[i].onRequestBody(exchange, current, last)
                        : filters[i].onResponseBody(exchange, current, last);
            } catch (RuntimeException e) {
                release(current, chunk);
                return failed(exchange, i, e);
            }
            if (decision == FilterDecision.CONTINUE) {
                continue;
            }
            switch (decision) {
                case FilterDecision.Continue c -> { }
                case FilterDecision.ReplaceChunk replace -> {
                    release(current, chunk);
                    current = replace.chunk();
                }
                case FilterDecision.Respond respond -> {
                    release(current, chunk);
                    return answered(exchange, respond);
                }
                case FilterDecision.EndResponse end when !request -> {
                    release(current, chunk);
                    current = end.chunk();
                    ended |= !last; // at the last chunk anyway, it only replaces it
                    last = true; // the filters after this one see the end
                }
                default -> {
                    release(current, chunk);
                    if (decision instanceof FilterDecision.EndResponse end) {
                        end.chunk().release();
                    }
                    return failed(exchange, i, new IllegalStateException(decision + " from a body hook"));
                }
            }
        }
        if (ended) {
            return new FilterDecision.EndResponse(current);
        }
        return current == chunk ? FilterDecision.CONTINUE : new FilterDecision.ReplaceChunk(current);
    }

    private static void release(ByteBuf current, ByteBuf original) {
        if (current != original) {
            current.release();
        }
    }

    public FilterDecision requestTrailers(ExchangeContext exchange, HeaderMap trailers) {
        return headers(exchange, requestTrailers, trailers, 0);
    }

    public FilterDecision responseHeaders(ExchangeContext exchange, ResponseHead head) {
        return headers(exchange, responseHeaders, head, 1);
    }

    public FilterDecision responseTrailers(ExchangeContext exchange, HeaderMap trailers) {
        return headers(exchange, responseTrailers, trailers, 2);
    }

    /** @param phase 0 request trailers, 1 response headers, 2 response trailers */
    private FilterDecision headers(ExchangeContext exchange, int[] which, HeaderMap block, int phase) {
        for (int i : which) {
            exchange.current = i;
            FilterDecision decision;
            try {
                decision = switch (phase) {
                    case 0 -> filters[i].onRequestTrailers(exchange, block);
                    case 1 -> filters[i].onResponseHeaders(exchange, (ResponseHead) block);
                    default -> filters[i].onResponseTrailers(exchange, block);
                };
            } catch (RuntimeException e) {
                return failed(exchange, i, e);
            }
            if (decision == FilterDecision.CONTINUE) {
                continue;
            }
            switch (decision) {
                case FilterDecision.Continue c -> { }
                case FilterDecision.ReplaceHeaders replace -> replace(block, replace);
                case FilterDecision.Respond respond -> {
                    return answered(exchange, respond);
                }
                default -> {
                    if (decision instanceof FilterDecision.ReplaceChunk chunk) {
                        chunk.chunk().release();
                    }
                    return failed(exchange, i, new IllegalStateException(decision + " from a header hook"));
                }
            }
        }
        return FilterDecision.CONTINUE;
    }

    private static void replace(HeaderMap block, FilterDecision.ReplaceHeaders replace) {
        for (String name : block.names()) {
            block.remove(name);
        }
        for (Map.Entry<String, List<String>> e : replace.replacement().entrySet()) {
            List<String> values = e.getValue();
            if (!values.isEmpty()) {
                block.set(e.getKey(), values.get(0));
                for (int v = 1; v < values.size(); v++) {
                    block.add(e.getKey(), values.get(v));
                }
            }
        }
    }

    /**
     * Ends the exchange once, however it ended: the filters that asked hear its outcome.
     *
     * @param status what the client was sent, 0 for nothing
     * @param reason the proxy's reason code when it answered (or gave up), "" when the upstream answered
     * @param firstResponseNanos when the response head came (the chain's clock), or -1
     * @return the outcome, or null when the exchange had ended already
     */
    public ExchangeOutcome end(ExchangeContext exchange, int status, String reason, long requestBytes, long responseBytes,
            long firstResponseNanos) {
        if (exchange.ended) {
            return null;
        }
        exchange.ended = true;
        long now = nanoTime.getAsLong();
        ExchangeOutcome outcome = new ExchangeOutcome(status, reason, requestBytes, responseBytes,
                now - exchange.startNanos(), firstResponseNanos < 0 ? -1 : firstResponseNanos - exchange.startNanos(),
                exchange.snapshot().version());
        for (int i : end) {
            exchange.current = i;
            try {
                filters[i].onEnd(exchange, outcome);
            } catch (RuntimeException e) {
                log.warn("the {} filter failed at the end of {} {}: {}", filters[i].name(), exchange.method(), exchange.target(),
                        e.toString());
            }
        }
        return outcome;
    }

    /** Now, on the clock the outcome's durations use. */
    public long nanoTime() {
        return nanoTime.getAsLong();
    }

    private static FilterDecision.Respond answered(ExchangeContext exchange, FilterDecision.Respond respond) {
        exchange.holder = -1;
        return respond;
    }

    /** @param i the filter that failed, or -1 for the route */
    private FilterDecision.Respond failed(ExchangeContext exchange, int i, RuntimeException e) {
        String who = i < 0 ? "route" : filters[i].name();
        log.warn("the {} filter failed on {} {} (snapshot {}); the exchange fails closed", who, exchange.method(),
                exchange.target(), exchange.snapshot().version(), e);
        events.report(SecurityEvent.Type.FILTER_FAILED, Map.of(SecurityEvent.Field.METHOD, exchange.method(),
                SecurityEvent.Field.PATH, exchange.target(),
                SecurityEvent.Field.CALLER, SecurityEventSink.caller(exchange.peerId(), exchange.remoteAddress()),
                SecurityEvent.Field.POLICY, who, SecurityEvent.Field.REASON, who + ": " + e,
                SecurityEvent.Field.CONFIG_VERSION, exchange.snapshot().version()));
        return answered(exchange, new FilterDecision.Respond(500, FAILED, "the proxy could not process this request ("
                + who + " failed)"));
    }
}
