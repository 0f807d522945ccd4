package dev.aimesh.proxy.filter.ratelimit;

import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import dev.aimesh.core.ai.AnswerTokens;
import dev.aimesh.core.ai.BodyModel;
import dev.aimesh.core.ai.ModelCall;
import dev.aimesh.core.ai.PromptTokens;
import dev.aimesh.core.ai.SseEvents;
import dev.aimesh.core.audit.SecurityEvent;
import dev.aimesh.core.ratelimit.RateLimits;
import dev.aimesh.core.ratelimit.RateLimits.Applied;
import dev.aimesh.core.resource.RateLimitPolicy.Unit;
import dev.aimesh.proxy.filter.ExchangeContext;
import dev.aimesh.proxy.filter.ExchangeOutcome;
import dev.aimesh.proxy.filter.FilterDecision;
import dev.aimesh.proxy.filter.HttpFilter;
import dev.aimesh.proxy.filter.RequestHead;
import dev.aimesh.proxy.filter.ResponseHead;
import dev.aimesh.proxy.filter.common.ExchangeEvents;

/**
 * Rate limits in requests and in LLM tokens ({@code RateLimitPolicy}). At admission each limit that applies must
 * have room: one request, or the prompt's estimated tokens plus the answer's asked maximum ({@code max_tokens}); a
 * request that does not fit is refused, 429 with {@code Retry-After} and the {@code RateLimit} fields, and never
 * reaches the model. While a streamed answer passes, its tokens are counted event by event; past what was reserved
 * they are charged as they come, and when a budget runs out the stream is ended after the last whole event with an
 * error event that says why (the upstream's exchange is given up). At the end each token limit is settled: the
 * server's usage (or the count) replaces the estimate, and what was reserved and not used is given back.
 */
public final class RateLimitFilter implements HttpFilter {
    private static final Logger log = LoggerFactory.getLogger(RateLimitFilter.class);
    static final String EXHAUSTED = "token-budget-exhausted";
    private final RateLimitConfig config;
    private final FilterDecision.Hold hold;

    public RateLimitFilter(RateLimitConfig config) {
        this.config = config;
        this.hold = new FilterDecision.Hold(config.maxBodyBytes(), FilterDecision.OverCap.CONTINUE_WITHOUT);
    }

    @Override
    public String name() {
        return "ratelimit";
    }

    @Override
    public int hooks() {
        return RESPONSE_HEADERS | RESPONSE_BODY | END;
    }

    /** What an exchange keeps between hooks. */
    private static final class State {
        final List<Applied> applied;
        final long[] charged;
        final long promptEstimate;
        final long reservedOutput;
        final boolean countsTokens;
        AnswerTokens answer;
        Mode mode = Mode.PASS;
        SseEvents events;
        /** SSE: the bytes of an event not whole yet, held back so a stream is only ever cut between events. */
        ByteArrayOutputStream tail;
        /** JSON: the answer, kept (up to the cap) to read its usage at the end. */
        ByteArrayOutputStream json;
        /** Output tokens charged beyond the reservation, per applied limit. */
        long extraOutput;
        boolean ended;

        State(List<Applied> applied, long[] charged, long promptEstimate, long reservedOutput) {
            this.applied = applied;
            this.charged = charged;
            this.promptEstimate = promptEstimate;
            this.reservedOutput = reservedOutput;
            this.countsTokens = countsTokens(applied);
        }
    }

    private enum Mode { PASS, EVENTS, JSON, TEXT }

    @Override
    public FilterDecision onRequestHeaders(ExchangeContext exchange, RequestHead head) {
        RateLimits limits = exchange.snapshot().rateLimits();
        if (limits.isEmpty()) {
            return FilterDecision.CONTINUE;
        }
        ModelCall call = exchange.call();
        List<Applied> applied = limits.applying(exchange.peerId(), call, exchange.token());
        // the body is read only when it decides: a token limit applies, or one may once the body names the model
        if (exchange.hasBody() && (limits.readsModel() && call.model().isEmpty() || countsTokens(applied))) {
            return hold;
        }
        return admit(exchange, head, applied, 0, OptionalLong.empty());
    }

    @Override
    public FilterDecision onHeldRequestBody(ExchangeContext exchange, RequestHead head, ByteBuf body, boolean complete) {
        byte[] bytes = ByteBufUtil.getBytes(body);
        ModelCall call = exchange.call();
        if (call.model().isEmpty() && BodyModel.scan(bytes, bytes.length) instanceof BodyModel.Result.Found found) {
            call = call.withBodyModel(java.util.Optional.of(found.model()));
            exchange.call(call);
        }
        List<Applied> applied = exchange.snapshot().rateLimits().applying(exchange.peerId(), call, exchange.token());
        if (!countsTokens(applied)) { // held only for the model: no prompt to count
            return admit(exchange, head, applied, 0, OptionalLong.empty());
        }
        PromptTokens.Estimate estimate = PromptTokens.of(bytes, 0, bytes.length, config.tokens());
        return admit(exchange, head, applied, estimate.promptTokens(), estimate.maxTokens());
    }

    private static boolean countsTokens(List<Applied> applied) {
        return applied.stream().anyMatch(a -> a.limit().unit() == Unit.TOKENS);
    }

    private FilterDecision admit(ExchangeContext exchange, RequestHead head, List<Applied> applied, long promptTokens,
            OptionalLong maxTokens) {
        if (applied.isEmpty()) {
            return FilterDecision.CONTINUE;
        }
        long reservedOutput = maxTokens.orElse(0);
        long[] costs = new long[applied.size()];
        for (int i = 0; i < costs.length; i++) {
            costs[i] = applied.get(i).limit().unit() == Unit.REQUESTS ? 1 : promptTokens + reservedOutput;
        }
        long now = exchange.chain().nanoTime();
        LocalCounters.Taken taken = config.counters().take(applied, costs, now);
        if (!taken.taken()) {
            return refuse(exchange, applied, taken, costs[applied.indexOf(taken.refusedBy())], now);
        }
        State state = new State(applied, costs, promptTokens, reservedOutput);
        if (state.countsTokens) {
            head.remove(HttpHeaderNames.ACCEPT_ENCODING); // a compressed answer could not be counted
        }
        exchange.state(state);
        return FilterDecision.CONTINUE;
    }

    private FilterDecision refuse(ExchangeContext exchange, List<Applied> applied, LocalCounters.Taken taken, long cost, long now) {
        Applied limit = taken.refusedBy();
        String what = limit.limit().unit() == Unit.TOKENS ? "~" + cost + " tokens" : "a request";
        String code;
        String message;
        Map<String, String> headers;
        String policies = RateLimitHeaders.policies(List.of(limit));
        String state = RateLimitHeaders.states(List.of(limit), config.counters(), now);
        if (taken.keysFull()) {
            code = "rate-limit-keys-full";
            message = "limit " + limit.limit().id() + " keeps counts for " + LocalCounters.DEFAULT_MAX_KEYS
                    + " keys at most and all are in use";
            headers = Map.of(RateLimitHeaders.POLICY, policies, "Retry-After", "1");
        } else if (taken.retryAfterNanos() < 0) {
            code = "rate-limit-request-too-large";
            message = "this request needs " + what + ", more than limit " + RateLimitHeaders.name(limit) + " allows in a"
                    + " whole window (" + RateLimitHeaders.describe(limit) + "); ask for fewer max_tokens";
            headers = Map.of(RateLimitHeaders.POLICY, policies, RateLimitHeaders.STATE, state);
        } else {
            long seconds = Math.max(1, RateLimitHeaders.seconds(taken.retryAfterNanos()));
            code = "rate-limited";
            message = "limit " + RateLimitHeaders.name(limit) + " (" + RateLimitHeaders.describe(limit) + " for each "
                    + keyName(limit) + ") has no room for " + what + " now; retry in " + seconds + " s";
            headers = Map.of(RateLimitHeaders.POLICY, policies, RateLimitHeaders.STATE, state, "Retry-After",
                    Long.toString(seconds));
        }
        log.info("refused {} {} from {}: {}", exchange.method(), exchange.target(), ExchangeEvents.who(exchange), message);
        ExchangeEvents.report(config.events(), SecurityEvent.Type.RATE_LIMITED, exchange, Map.of(
                SecurityEvent.Field.POLICY, limit.limit().policy(), SecurityEvent.Field.RULE, limit.limit().limit().name(),
                SecurityEvent.Field.REASON, code + ": " + message));
        return new FilterDecision.Respond(429, code, message, headers);
    }

    private static String keyName(Applied a) {
        return String.join(" and ", a.limit().limit().by().stream().map(p -> p.key()).toList());
    }

    @Override
    public FilterDecision onResponseHeaders(ExchangeContext exchange, ResponseHead head) {
        if (!(exchange.state() instanceof State state)) {
            return FilterDecision.CONTINUE;
        }
        long now = exchange.chain().nanoTime();
        head.set(RateLimitHeaders.POLICY, RateLimitHeaders.policies(state.applied));
        head.set(RateLimitHeaders.STATE, RateLimitHeaders.states(state.applied, config.counters(), now));
        if (!state.countsTokens || head.status() == 204 || head.status() == 304 || "HEAD".equals(exchange.method())) {
            return FilterDecision.CONTINUE;
        }
        state.answer = new AnswerTokens(config.tokens());
        String type = head.get(HttpHeaderNames.CONTENT_TYPE);
        type = type == null ? "" : type.toLowerCase(Locale.ROOT);
        String encoding = head.get(HttpHeaderNames.CONTENT_ENCODING);
        if (encoding != null && !encoding.equalsIgnoreCase("identity")) {
            state.mode = Mode.PASS; // unreadable: the prompt's estimate and the reservation stand
        } else if (type.startsWith("text/event-stream")) {
            state.mode = Mode.EVENTS;
            state.events = new SseEvents(config.maxEventBytes());
            state.tail = new ByteArrayOutputStream();
            head.remove(HttpHeaderNames.CONTENT_LENGTH); // the stream may be ended before the upstream ends it
        } else if (type.contains("json")) {
            state.mode = Mode.JSON;
            state.json = new ByteArrayOutputStream();
        } else if (type.startsWith("text/")) {
            state.mode = Mode.TEXT;
        }
        return FilterDecision.CONTINUE;
    }

    @Override
    public FilterDecision onResponseBody(ExchangeContext exchange, ByteBuf chunk, boolean last) {
        if (!(exchange.state() instanceof State state) || state.mode == Mode.PASS || state.ended) {
            return FilterDecision.CONTINUE;
        }
        return switch (state.mode) {
            case EVENTS -> events(exchange, state, ByteBufUtil.getBytes(chunk), last);
            case JSON -> {
                if (state.json.size() + chunk.readableBytes() <= config.maxBodyBytes()) {
                    state.json.writeBytes(ByteBufUtil.getBytes(chunk));
                } else {
                    state.answer.feedUnread(chunk.readableBytes());
                }
                if (last) {
                    byte[] body = state.json.toByteArray();
                    state.answer.feed(body, 0, body.length);
                }
                yield FilterDecision.CONTINUE;
            }
            default -> {
                byte[] text = ByteBufUtil.getBytes(chunk);
                state.answer.feed(text, 0, text.length);
                yield FilterDecision.CONTINUE;
            }
        };
    }

    /**
     * Counts and charges the events that end in this piece, releasing them whole; the piece's unfinished event waits.
     * When a budget runs out at an event, that event and the rest go nowhere: an error event ends the stream.
     */
    private FilterDecision events(ExchangeContext exchange, State state, byte[] bytes, boolean last) {
        long now = exchange.chain().nanoTime();
        int[] released = {0};
        Applied[] exhausted = {null};
        state.events.feed(bytes, 0, bytes.length, new SseEvents.Sink() {
            @Override
            public void data(byte[] data, int from, int to, int end) {
                if (exhausted[0] == null) {
                    exhausted[0] = charge(state, state.answer.feed(data, from, to), now);
                    if (exhausted[0] == null) {
                        released[0] = end;
                    }
                }
            }

            @Override
            public void tooLarge(long size, int end) {
                if (exhausted[0] == null) {
                    exhausted[0] = charge(state, state.answer.feedUnread(size), now);
                    if (exhausted[0] == null) {
                        released[0] = end;
                    }
                }
            }
        });
        int held = state.tail.size();
        // the end, or an event too long to hold: what is held goes now, counted by its size when it ends
        boolean flush = exhausted[0] == null && (last || held + bytes.length - released[0] > config.maxEventBytes());
        ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length + held + 256);
        if (released[0] > 0 || flush) {
            out.writeBytes(state.tail.toByteArray());
            state.tail.reset();
        }
        if (exhausted[0] != null) {
            out.write(bytes, 0, released[0]);
            state.ended = true;
            out.writeBytes(SseEvents.errorEvent(EXHAUSTED, exhausted(exchange, state, exhausted[0], now)));
            return new FilterDecision.EndResponse(Unpooled.wrappedBuffer(out.toByteArray()));
        }
        if (flush) {
            out.write(bytes, 0, bytes.length);
        } else {
            out.write(bytes, 0, released[0]);
            state.tail.write(bytes, released[0], bytes.length - released[0]);
        }
        if (held == 0 && out.size() == bytes.length) {
            return FilterDecision.CONTINUE; // whole events only: the piece goes as it came
        }
        return new FilterDecision.ReplaceChunk(out.size() == 0 ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(out.toByteArray()));
    }

    /** Reports the stream a budget ended; returns what its final event says. */
    private String exhausted(ExchangeContext exchange, State state, Applied a, long now) {
        String message = "the answer was ended: limit " + RateLimitHeaders.name(a) + " (" + RateLimitHeaders.describe(a)
                + " for each " + keyName(a) + ") ran out after " + state.answer.counted() + " tokens of it; it is whole"
                + " again in " + RateLimitHeaders.seconds(config.counters().state(a, now)[1]) + " s";
        log.info("ended {} {} from {}: {}", exchange.method(), exchange.target(), ExchangeEvents.who(exchange), message);
        ExchangeEvents.report(config.events(), SecurityEvent.Type.RATE_LIMIT_STREAM_ENDED, exchange, Map.of(
                SecurityEvent.Field.POLICY, a.limit().policy(), SecurityEvent.Field.RULE, a.limit().limit().name(),
                SecurityEvent.Field.REASON, EXHAUSTED + ": " + message));
        return message;
    }

    /**
     * Charges {@code tokens} more of the answer to every token limit, once past what was reserved for it; returns the
     * first limit that had no room left for all of them (it is charged what it had), or null.
     */
    private Applied charge(State state, long tokens, long now) {
        long over = state.answer.counted() - state.reservedOutput - state.extraOutput;
        if (tokens <= 0 || over <= 0) {
            return null;
        }
        state.extraOutput += over;
        Applied exhausted = null;
        for (int i = 0; i < state.applied.size(); i++) {
            Applied a = state.applied.get(i);
            if (a.limit().unit() != Unit.TOKENS) {
                continue;
            }
            long taken = config.counters().takeUpTo(a, over, now);
            state.charged[i] += taken;
            if (taken < over && exhausted == null) {
                exhausted = a;
            }
        }
        return exhausted;
    }

    /**
     * Settles each token limit: charged the real tokens (the server's usage, else the count), even past the budget,
     * and the rest given back.
     */
    @Override
    public void onEnd(ExchangeContext exchange, ExchangeOutcome outcome) {
        if (!(exchange.state() instanceof State state) || !state.countsTokens) {
            return;
        }
        long now = exchange.chain().nanoTime();
        long used;
        if (state.answer == null) {
            // no answer read: refused after admission, failed upstream, or not countable (then the reservation stands)
            used = outcome.status() == 0 || !outcome.reason().isEmpty() ? 0 : -1;
        } else {
            long prompt = state.answer.reportedPrompt() >= 0 ? state.answer.reportedPrompt() : state.promptEstimate;
            used = state.mode == Mode.PASS ? -1 : prompt + state.answer.output();
        }
        if (used < 0) {
            return;
        }
        for (int i = 0; i < state.applied.size(); i++) {
            Applied a = state.applied.get(i);
            if (a.limit().unit() != Unit.TOKENS) {
                continue;
            }
            if (used < state.charged[i]) {
                config.counters().give(a, state.charged[i] - used, now);
            } else if (used > state.charged[i]) {
                // all of it, past the budget too: an answer that could not be cut is paid for by the requests after it
                config.counters().charge(a, used - state.charged[i], now);
            }
        }
    }
}
