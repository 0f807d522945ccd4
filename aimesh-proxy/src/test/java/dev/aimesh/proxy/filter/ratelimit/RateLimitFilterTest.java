package dev.aimesh.proxy.filter.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;
import dev.aimesh.core.identity.SpiffeId;
import dev.aimesh.core.ratelimit.RateLimits;
import dev.aimesh.proxy.filter.ChainStep;
import dev.aimesh.proxy.filter.ExchangeContext;
import dev.aimesh.proxy.filter.ExchangeOutcome;
import dev.aimesh.proxy.filter.FilterChain;
import dev.aimesh.proxy.filter.FilterDecision;
import dev.aimesh.proxy.filter.PeerIdentity;
import dev.aimesh.proxy.filter.TestExchanges;
import dev.aimesh.proxy.filter.common.SecurityEventSink;
import dev.aimesh.proxy.snapshot.ProxySnapshot;

/** The filter's hooks, on a clock the test moves. */
class RateLimitFilterTest {
    private static final long SECOND = 1_000_000_000L;
    private final AtomicLong now = new AtomicLong(100 * SECOND);
    private final RateLimitFilter filter = new RateLimitFilter(RateLimitTestPolicies.config(SecurityEventSink.NONE));

    private ProxySnapshot snapshot(String limits) {
        RateLimits compiled = RateLimitTestPolicies.limits(limits);
        FilterChain chain = new FilterChain(List.of(filter), (exchange, head) -> new ChainStep.Forward(
                TestExchanges.upstream(new EmbeddedChannel())), SecurityEventSink.NONE, now::get);
        return RateLimitTestPolicies.snapshot(compiled, chain);
    }

    private static HttpRequest post(String path) {
        DefaultHttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, path);
        request.headers().set("host", "model").set("content-type", "application/json");
        return request;
    }

    /** The decision on a request from {@code caller}: at its head, or, when the filter holds it, on its body. */
    private FilterDecision call(ProxySnapshot snapshot, String caller, String body) {
        return exchange(snapshot, caller, body)[0] instanceof FilterDecision d ? d : null;
    }

    private Object[] exchange(ProxySnapshot snapshot, String caller, String body) {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.attr(PeerIdentity.KEY).set(new PeerIdentity(SpiffeId.parse("spiffe://cluster.local/ns/apps/sa/" + caller), ""));
        HttpRequest request = post("/v1/chat/completions");
        ExchangeContext exchange = TestExchanges.exchange(snapshot, channel, request, body != null);
        FilterDecision decision = filter.onRequestHeaders(exchange, TestExchanges.head(request));
        if (decision instanceof FilterDecision.Hold) {
            decision = filter.onHeldRequestBody(exchange, TestExchanges.head(request),
                    Unpooled.copiedBuffer(body, StandardCharsets.UTF_8), true);
        }
        return new Object[] {decision, exchange};
    }

    @Test
    void eachCallerHasItsOwnBudgetAndTimeRefillsIt() {
        ProxySnapshot snapshot = snapshot("limits: [{requests: 2, per: 10s}]");
        assertThat(call(snapshot, "a", null)).isEqualTo(FilterDecision.CONTINUE);
        assertThat(call(snapshot, "a", null)).isEqualTo(FilterDecision.CONTINUE);
        assertThat(call(snapshot, "a", null)).isInstanceOfSatisfying(FilterDecision.Respond.class, r -> {
            assertThat(r.status()).isEqualTo(429);
            assertThat(r.headers()).containsEntry("Retry-After", "5");
        });
        assertThat(call(snapshot, "b", null)).as("another caller").isEqualTo(FilterDecision.CONTINUE);
        now.addAndGet(5 * SECOND);
        assertThat(call(snapshot, "a", null)).as("one came back after 5 s").isEqualTo(FilterDecision.CONTINUE);
        assertThat(call(snapshot, "a", null)).isInstanceOf(FilterDecision.Respond.class);
    }

    @Test
    void aRequestRefusedAfterAdmissionGivesItsTokensBack() {
        ProxySnapshot snapshot = snapshot("limits: [{tokens: 100, per: 1h}]");
        Object[] first = exchange(snapshot, "a", "{\"max_tokens\": 90, \"prompt\": \"x\"}");
        assertThat(first[0]).isEqualTo(FilterDecision.CONTINUE);
        assertThat(call(snapshot, "a", "{\"max_tokens\": 90, \"prompt\": \"x\"}")).as("94 of 100 reserved")
                .isInstanceOf(FilterDecision.Respond.class);
        ExchangeContext exchange = (ExchangeContext) first[1];
        filter.onEnd(exchange, new ExchangeOutcome(403, "rbac-denied", 0, 0, 0, -1, "r1"));
        assertThat(call(snapshot, "a", "{\"max_tokens\": 90, \"prompt\": \"x\"}")).as("refused later: nothing was used")
                .isEqualTo(FilterDecision.CONTINUE);
    }

    @Test
    void onlyARequestATokenLimitAppliesToIsHeldForItsBody() {
        ProxySnapshot snapshot = snapshot("limits: [{tokens: 100, per: 1h, when: {principals: [\"cluster.local/ns/apps/sa/a\"]}}]");
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.attr(PeerIdentity.KEY).set(new PeerIdentity(SpiffeId.parse("spiffe://cluster.local/ns/apps/sa/b"), ""));
        HttpRequest request = post("/v1/chat/completions");
        ExchangeContext other = TestExchanges.exchange(snapshot, channel, request, true);
        assertThat(filter.onRequestHeaders(other, TestExchanges.head(request))).as("a caller no limit applies to")
                .isEqualTo(FilterDecision.CONTINUE);
        channel.attr(PeerIdentity.KEY).set(new PeerIdentity(SpiffeId.parse("spiffe://cluster.local/ns/apps/sa/a"), ""));
        ExchangeContext limited = TestExchanges.exchange(snapshot, channel, request, true);
        assertThat(filter.onRequestHeaders(limited, TestExchanges.head(request))).isInstanceOf(FilterDecision.Hold.class);
    }

    @Test
    void aBodyHeldOnlyForItsModelIsNotTokenized() {
        RateLimitFilter noTokenizer = new RateLimitFilter(new RateLimitConfig(SecurityEventSink.NONE,
                new LocalCounters(LocalCounters.DEFAULT_MAX_KEYS), text -> {
                    throw new AssertionError("tokenized a body no token limit applies to");
                }, 64 * 1024, 1024));
        RateLimits compiled = RateLimitTestPolicies.limits("limits: [{requests: 1, per: 1h, by: [model]}]");
        FilterChain chain = new FilterChain(List.of(noTokenizer), (exchange, head) -> new ChainStep.Forward(
                TestExchanges.upstream(new EmbeddedChannel())), SecurityEventSink.NONE, now::get);
        ProxySnapshot snapshot = RateLimitTestPolicies.snapshot(compiled, chain);
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.attr(PeerIdentity.KEY).set(new PeerIdentity(SpiffeId.parse("spiffe://cluster.local/ns/apps/sa/a"), ""));
        HttpRequest request = post("/v1/chat/completions");
        for (String expected : List.of("continue", "refused")) {
            ExchangeContext exchange = TestExchanges.exchange(snapshot, channel, request, true);
            assertThat(noTokenizer.onRequestHeaders(exchange, TestExchanges.head(request))).as("held for the model")
                    .isInstanceOf(FilterDecision.Hold.class);
            FilterDecision decision = noTokenizer.onHeldRequestBody(exchange, TestExchanges.head(request),
                    Unpooled.copiedBuffer("{\"model\": \"llama\", \"prompt\": \"hi\"}", StandardCharsets.UTF_8), true);
            assertThat(decision instanceof FilterDecision.Respond ? "refused" : "continue").isEqualTo(expected);
            assertThat(exchange.call().model()).contains("llama");
        }
    }

    @Test
    void limitsAreAllOrNothing() {
        ProxySnapshot snapshot = snapshot("""
                limits:
                  - {name: many, requests: 10, per: 1h}
                  - {name: few, requests: 1, per: 1h}
                """);
        assertThat(call(snapshot, "a", null)).isEqualTo(FilterDecision.CONTINUE);
        for (int i = 0; i < 5; i++) {
            assertThat(call(snapshot, "a", null)).isInstanceOfSatisfying(FilterDecision.Respond.class,
                    r -> assertThat(r.message()).contains("limit budget/few"));
        }
        now.addAndGet(3600 * SECOND);
        // had the refusals taken from "many", it would have 4 left, not 9
        assertThat(call(snapshot, "a", null)).isEqualTo(FilterDecision.CONTINUE);
    }

    @Test
    void aLimitWithAllItsKeysInUseRefusesANewOne() {
        LocalCounters counters = new LocalCounters(2);
        RateLimits limits = RateLimitTestPolicies.limits("limits: [{requests: 1, per: 1h}]");
        var compiled = limits.limits().get(0);
        long t = 5 * SECOND;
        assertThat(counters.take(List.of(new RateLimits.Applied(compiled, "a")), new long[] {1}, t).taken()).isTrue();
        assertThat(counters.take(List.of(new RateLimits.Applied(compiled, "b")), new long[] {1}, t).taken()).isTrue();
        LocalCounters.Taken third = counters.take(List.of(new RateLimits.Applied(compiled, "c")), new long[] {1}, t);
        assertThat(third.keysFull()).isTrue();
        long later = t + 3600 * SECOND;
        assertThat(counters.take(List.of(new RateLimits.Applied(compiled, "c")), new long[] {1}, later).taken())
                .as("once the others are whole again they are dropped").isTrue();
    }
}
