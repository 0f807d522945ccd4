package dev.aimesh.proxy.filter;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import dev.aimesh.core.audit.SecurityEvent;
import dev.aimesh.core.authz.Authorizer;
import dev.aimesh.proxy.snapshot.ProxySnapshot;

/** The chain's rules: order, short-circuit, holds that resume, hooks only for those who asked, failures closed. */
class FilterChainTest {
    private final EmbeddedChannel downstream = new EmbeddedChannel();
    private final EmbeddedChannel upstream = new EmbeddedChannel();
    private final List<String> calls = new ArrayList<>();
    private final List<SecurityEvent.Type> events = new ArrayList<>();

    @AfterEach
    void close() {
        downstream.finishAndReleaseAll();
        upstream.finishAndReleaseAll();
    }

    /** Records its hooks; answers {@code onHeaders} from its request-headers hook. */
    private HttpFilter filter(String name, int hooks, FilterDecision onHeaders) {
        return new HttpFilter() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public int hooks() {
                return hooks;
            }

            @Override
            public FilterDecision onRequestHeaders(ExchangeContext exchange, RequestHead head) {
                calls.add(name + ".headers");
                exchange.state(name);
                return onHeaders;
            }

            @Override
            public FilterDecision onHeldRequestBody(ExchangeContext exchange, RequestHead head, ByteBuf body, boolean complete) {
                calls.add(name + ".held:" + body.readableBytes() + ":" + complete + ":" + exchange.state());
                return FilterDecision.CONTINUE;
            }

            @Override
            public FilterDecision onRequestBody(ExchangeContext exchange, ByteBuf chunk, boolean last) {
                calls.add(name + ".body:" + chunk.readableBytes());
                return FilterDecision.CONTINUE;
            }

            @Override
            public void onEnd(ExchangeContext exchange, ExchangeOutcome outcome) {
                calls.add(name + ".end:" + outcome.status() + ":" + outcome.reason() + ":" + outcome.snapshotVersion());
            }
        };
    }

    /** A filter with one body hook ({@code hook} bit), deciding as {@code decide} says. */
    private static HttpFilter bodyFilter(String name, int hook, java.util.function.BiFunction<ByteBuf, Boolean, FilterDecision> decide) {
        return new HttpFilter() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public int hooks() {
                return hook;
            }

            @Override
            public FilterDecision onRequestBody(ExchangeContext exchange, ByteBuf chunk, boolean last) {
                return decide.apply(chunk, last);
            }

            @Override
            public FilterDecision onResponseBody(ExchangeContext exchange, ByteBuf chunk, boolean last) {
                return decide.apply(chunk, last);
            }
        };
    }

    private FilterChain chain(HttpFilter... filters) {
        ChainStep.Forward forward = new ChainStep.Forward(TestExchanges.upstream(upstream));
        return new FilterChain(List.of(filters), (exchange, head) -> {
            calls.add("route");
            return forward;
        }, (type, fields) -> events.add(type));
    }

    private ExchangeContext start(FilterChain chain) {
        ProxySnapshot snapshot = TestExchanges.snapshot(TestExchanges.policy("v7", Authorizer.allowAll()), chain);
        return chain.start(snapshot, downstream, "POST", "/x", true);
    }

    @Test
    void filtersRunInOrderThenTheRoute() {
        FilterChain chain = chain(filter("a", 0, FilterDecision.CONTINUE), filter("b", 0, FilterDecision.CONTINUE));
        ChainStep step = chain.requestHeaders(start(chain), TestExchanges.head(TestExchanges.get("/x")));
        assertThat(step).isInstanceOf(ChainStep.Forward.class);
        assertThat(calls).containsExactly("a.headers", "b.headers", "route");
    }

    @Test
    void aResponseEndsTheRequestPhaseAndTheOutcomeNamesItsReasonAndVersion() {
        HttpFilter last = filter("c", HttpFilter.END, FilterDecision.CONTINUE);
        FilterChain chain = chain(filter("a", HttpFilter.END, new FilterDecision.Respond(403, "no", "no")), last);
        ExchangeContext exchange = start(chain);
        assertThat(chain.requestHeaders(exchange, TestExchanges.head(TestExchanges.get("/x"))))
                .isEqualTo(new FilterDecision.Respond(403, "no", "no"));
        assertThat(chain.end(exchange, 403, "no", 0, 0, -1)).isNotNull();
        assertThat(chain.end(exchange, 403, "no", 0, 0, -1)).as("once").isNull();
        assertThat(calls).containsExactly("a.headers", "a.end:403:no:v7", "c.end:403:no:v7");
    }

    @Test
    void aHoldPausesTheFiltersAfterItAndTheHolderDecidesWithTheBodyThenTheChainGoesOn() {
        FilterDecision.Hold hold = new FilterDecision.Hold(4, FilterDecision.OverCap.CONTINUE_WITHOUT);
        FilterChain chain = chain(filter("a", 0, hold), filter("b", 0, FilterDecision.CONTINUE));
        ExchangeContext exchange = start(chain);
        RequestHead head = TestExchanges.head(TestExchanges.get("/x"));
        assertThat(chain.requestHeaders(exchange, head)).isSameAs(hold);
        assertThat(calls).containsExactly("a.headers");
        ByteBuf body = Unpooled.copiedBuffer(new byte[4]);
        assertThat(chain.heldBody(exchange, head, body, true)).isInstanceOf(ChainStep.Forward.class);
        body.release();
        assertThat(calls).containsExactly("a.headers", "a.held:4:true:a", "b.headers", "route");
    }

    /** Holds up to 4 bytes, and gives {@code [redacted]} in place of what it held. */
    private static HttpFilter redactor() {
        return new HttpFilter() {
            @Override
            public String name() {
                return "redactor";
            }

            @Override
            public FilterDecision onRequestHeaders(ExchangeContext exchange, RequestHead head) {
                return new FilterDecision.Hold(4, FilterDecision.OverCap.CONTINUE_WITHOUT);
            }

            @Override
            public FilterDecision onHeldRequestBody(ExchangeContext exchange, RequestHead head, ByteBuf body, boolean complete) {
                return new FilterDecision.ReplaceChunk(Unpooled.copiedBuffer("[redacted]", java.nio.charset.StandardCharsets.US_ASCII));
            }
        };
    }

    @Test
    void aWholeHeldBodyMayBeReplacedAndTheExchangeTakesTheReplacement() {
        FilterChain chain = chain(redactor(), filter("after", 0, FilterDecision.CONTINUE));
        ExchangeContext exchange = start(chain);
        RequestHead head = TestExchanges.head(TestExchanges.get("/x"));
        chain.requestHeaders(exchange, head);
        ByteBuf body = Unpooled.copiedBuffer(new byte[4]);
        assertThat(chain.heldBody(exchange, head, body, true)).isInstanceOf(ChainStep.Forward.class);
        body.release();
        assertThat(calls).containsExactly("after.headers", "route");
        ByteBuf replacement = exchange.takeReplacedBody();
        assertThat(replacement.toString(java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("[redacted]");
        replacement.release();
        assertThat(exchange.takeReplacedBody()).as("taken once").isNull();
    }

    @Test
    void replacingOnlyTheFirstBytesOfALongerBodyFailsTheExchangeClosed() {
        FilterChain chain = chain(redactor());
        ExchangeContext exchange = start(chain);
        RequestHead head = TestExchanges.head(TestExchanges.get("/x"));
        chain.requestHeaders(exchange, head);
        ByteBuf first = Unpooled.copiedBuffer(new byte[4]);
        ChainStep step = chain.overCap(exchange, head, new FilterDecision.Hold(4, FilterDecision.OverCap.CONTINUE_WITHOUT), first);
        first.release();
        assertThat(step).isInstanceOf(FilterDecision.Respond.class);
        assertThat(((FilterDecision.Respond) step).code()).isEqualTo("filter-failed");
        assertThat(exchange.takeReplacedBody()).isNull();
        assertThat(events).containsExactly(SecurityEvent.Type.FILTER_FAILED);
    }

    @Test
    void overTheCapTheHoldsOwnAnswerOrTheHolderWithoutTheRest() {
        FilterDecision.Respond tooLarge = new FilterDecision.Respond(413, "too-large", "over 4 bytes");
        FilterDecision.Hold refusing = new FilterDecision.Hold(4, new FilterDecision.OverCap.Refuse(tooLarge));
        FilterChain chain = chain(filter("a", 0, refusing));
        ExchangeContext exchange = start(chain);
        RequestHead head = TestExchanges.head(TestExchanges.get("/x"));
        chain.requestHeaders(exchange, head);
        assertThat(chain.overCap(exchange, head, refusing, Unpooled.EMPTY_BUFFER)).isEqualTo(tooLarge);

        FilterDecision.Hold partial = new FilterDecision.Hold(4, FilterDecision.OverCap.CONTINUE_WITHOUT);
        FilterChain lenient = chain(filter("p", 0, partial));
        ExchangeContext second = start(lenient);
        lenient.requestHeaders(second, head);
        ByteBuf first = Unpooled.copiedBuffer(new byte[4]);
        assertThat(lenient.overCap(second, head, partial, first)).isInstanceOf(ChainStep.Forward.class);
        first.release();
        assertThat(calls).contains("p.held:4:false:p");
    }

    @Test
    void onlyTheFiltersThatAskedSeeBodyChunks() {
        FilterChain chain = chain(filter("quiet", 0, FilterDecision.CONTINUE), filter("reader", HttpFilter.REQUEST_BODY,
                FilterDecision.CONTINUE));
        assertThat(chain.hasRequestBodyHooks()).isTrue();
        assertThat(chain.hasResponseBodyHooks()).isFalse();
        ByteBuf chunk = Unpooled.copiedBuffer(new byte[3]);
        assertThat(chain.requestBody(start(chain), chunk, false)).isSameAs(FilterDecision.CONTINUE);
        chunk.release();
        assertThat(calls).containsExactly("reader.body:3");
    }

    @Test
    void aReplacedChunkGoesOnToTheNextFilter() {
        HttpFilter replacer = bodyFilter("upper", HttpFilter.RESPONSE_BODY, (chunk, last) -> {
            return new FilterDecision.ReplaceChunk(Unpooled.copiedBuffer("REDACTED", java.nio.charset.StandardCharsets.US_ASCII));
        });
        HttpFilter reader = bodyFilter("reader", HttpFilter.RESPONSE_BODY, (chunk, last) -> {
            calls.add("saw " + chunk.toString(java.nio.charset.StandardCharsets.US_ASCII));
            return FilterDecision.CONTINUE;
        });
        FilterChain chain = chain(replacer, reader);
        ByteBuf original = Unpooled.copiedBuffer("secret", java.nio.charset.StandardCharsets.US_ASCII);
        FilterDecision decision = chain.responseBody(start(chain), original, true);
        assertThat(calls).containsExactly("saw REDACTED");
        assertThat(decision).isInstanceOf(FilterDecision.ReplaceChunk.class);
        ((FilterDecision.ReplaceChunk) decision).chunk().release();
        original.release();
    }

    @Test
    void aResponseEndedByAFilterReachesTheFiltersAfterItAsTheLastChunk() {
        HttpFilter ender = bodyFilter("ender", HttpFilter.RESPONSE_BODY, (chunk, last) -> {
            return new FilterDecision.EndResponse(Unpooled.copiedBuffer("bye", java.nio.charset.StandardCharsets.US_ASCII));
        });
        HttpFilter reader = bodyFilter("reader", HttpFilter.RESPONSE_BODY, (chunk, last) -> {
            calls.add("saw " + chunk.toString(java.nio.charset.StandardCharsets.US_ASCII) + " last=" + last);
            return FilterDecision.CONTINUE;
        });
        FilterChain chain = chain(ender, reader);
        ExchangeContext exchange = start(chain);
        ByteBuf original = Unpooled.copiedBuffer("more", java.nio.charset.StandardCharsets.US_ASCII);
        FilterDecision decision = chain.responseBody(exchange, original, false);
        assertThat(calls).containsExactly("saw bye last=true");
        assertThat(decision).isInstanceOf(FilterDecision.EndResponse.class);
        ((FilterDecision.EndResponse) decision).chunk().release();

        ByteBuf end = Unpooled.copiedBuffer("end", java.nio.charset.StandardCharsets.US_ASCII);
        FilterDecision atTheEnd = chain.responseBody(exchange, end, true);
        assertThat(atTheEnd).as("at the last chunk it only replaces it").isInstanceOf(FilterDecision.ReplaceChunk.class);
        ((FilterDecision.ReplaceChunk) atTheEnd).chunk().release();

        ByteBuf request = Unpooled.copiedBuffer("req", java.nio.charset.StandardCharsets.US_ASCII);
        HttpFilter requestEnder = bodyFilter("request-ender", HttpFilter.REQUEST_BODY, (chunk, last) -> {
            return new FilterDecision.EndResponse(Unpooled.buffer(1));
        });
        FilterChain requests = chain(requestEnder);
        assertThat(requests.requestBody(start(requests), request, false)).as("only a response can be ended")
                .isInstanceOfSatisfying(FilterDecision.Respond.class, r -> assertThat(r.status()).isEqualTo(500));
        original.release();
        end.release();
        request.release();
    }

    @Test
    void aFilterThatThrowsFailsItsExchangeClosedWithAnEvent() {
        HttpFilter broken = new HttpFilter() {
            @Override
            public String name() {
                return "broken";
            }

            @Override
            public FilterDecision onRequestHeaders(ExchangeContext exchange, RequestHead head) {
                throw new IllegalStateException("bug");
            }
        };
        FilterChain chain = chain(broken, filter("after", 0, FilterDecision.CONTINUE));
        ChainStep step = chain.requestHeaders(start(chain), TestExchanges.head(TestExchanges.get("/x")));
        assertThat(step).isInstanceOf(FilterDecision.Respond.class);
        assertThat(((FilterDecision.Respond) step).status()).isEqualTo(500);
        assertThat(((FilterDecision.Respond) step).code()).isEqualTo("filter-failed");
        assertThat(calls).as("nothing after it runs, not even the route").isEmpty();
        assertThat(events).containsExactly(SecurityEvent.Type.FILTER_FAILED);
    }

    @Test
    void replacedHeadersTakeThePlaceOfTheBlocksFields() {
        FilterChain chain = chain(filter("r", 0, new FilterDecision.ReplaceHeaders(Map.of("x-only", List.of("1", "2")))));
        var request = TestExchanges.get("/x");
        chain.requestHeaders(start(chain), TestExchanges.head(request));
        assertThat(request.headers().names()).containsExactly("x-only");
        assertThat(request.headers().getAll("x-only")).containsExactly("1", "2");
    }

    @Test
    void statusesOutsideTheAnswerableRangeAreRefused() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new FilterDecision.Respond(101, "x", "y"))
                .hasMessageContaining("status: 101 (expected: 200..599)");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new FilterDecision.Hold(0, FilterDecision.OverCap.CONTINUE_WITHOUT))
                .hasMessageContaining("maxBytes: 0 (expected: > 0)");
    }
}
