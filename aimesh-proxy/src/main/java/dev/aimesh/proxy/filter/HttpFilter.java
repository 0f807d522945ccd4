package dev.aimesh.proxy.filter;

import io.netty.buffer.ByteBuf;

/**
 * One step of an exchange's processing, with a hook for each of its phases. A hook runs on the exchange's
 * event loop: it must not block, and it returns what it decided as a {@link FilterDecision} (a thrown exception
 * fails the exchange closed, never the connection). A filter holds no per-exchange fields: what it must keep
 * between hooks goes in its slot of the {@link ExchangeContext}. The policy it enforces is read from
 * {@link ExchangeContext#snapshot()}, the one the exchange started with.
 *
 * <p>{@link #hooks()} says which phases the filter takes part in beyond the request headers; the chain calls
 * no other, so a filter that does not ask for bodies costs nothing per body chunk, and its bytes pass untouched.
 */
public interface HttpFilter {
    /** {@link #hooks()} bits. */
    int REQUEST_BODY = 1;
    int REQUEST_TRAILERS = 1 << 1;
    int RESPONSE_HEADERS = 1 << 2;
    int RESPONSE_BODY = 1 << 3;
    int RESPONSE_TRAILERS = 1 << 4;
    int END = 1 << 5;

    /** A short name for logs and events: {@code authz}, {@code jwt}, {@code xfcc}. */
    String name();

    /** The phases past the request headers this filter asks for, as bits; none by default. */
    default int hooks() {
        return 0;
    }

    /** May return {@link FilterDecision.Hold} to see the request body first. */
    default FilterDecision onRequestHeaders(ExchangeContext exchange, RequestHead head) {
        return FilterDecision.CONTINUE;
    }

    /**
     * The body this filter held: all of it ({@code complete}), or the first {@code maxBytes} when it was longer
     * and the hold said {@link FilterDecision.OverCap#CONTINUE_WITHOUT}. {@code body} is a read-only view of the
     * chunks, valid only during the call. {@link FilterDecision.ReplaceChunk} sends another body in its place (a whole
     * one only: replacing the first bytes of a longer body fails the exchange closed); the request's length is then
     * the new body's.
     */
    default FilterDecision onHeldRequestBody(ExchangeContext exchange, RequestHead head, ByteBuf body, boolean complete) {
        return FilterDecision.CONTINUE;
    }

    /** {@link #REQUEST_BODY}: each chunk as it goes upstream; {@code last} with the final one. */
    default FilterDecision onRequestBody(ExchangeContext exchange, ByteBuf chunk, boolean last) {
        return FilterDecision.CONTINUE;
    }

    /** {@link #REQUEST_TRAILERS}: the request's trailers, when it has any, before they go upstream. */
    default FilterDecision onRequestTrailers(ExchangeContext exchange, HeaderMap trailers) {
        return FilterDecision.CONTINUE;
    }

    /** {@link #RESPONSE_HEADERS}: the upstream's final response head, before the client sees it. */
    default FilterDecision onResponseHeaders(ExchangeContext exchange, ResponseHead head) {
        return FilterDecision.CONTINUE;
    }

    /** {@link #RESPONSE_BODY}: each response chunk as it goes to the client. */
    default FilterDecision onResponseBody(ExchangeContext exchange, ByteBuf chunk, boolean last) {
        return FilterDecision.CONTINUE;
    }

    /** {@link #RESPONSE_TRAILERS}: the response's trailers, when it has any. */
    default FilterDecision onResponseTrailers(ExchangeContext exchange, HeaderMap trailers) {
        return FilterDecision.CONTINUE;
    }

    /** {@link #END}: once per exchange, however it ended (answered, refused, reset), with its outcome. */
    default void onEnd(ExchangeContext exchange, ExchangeOutcome outcome) {}
}
