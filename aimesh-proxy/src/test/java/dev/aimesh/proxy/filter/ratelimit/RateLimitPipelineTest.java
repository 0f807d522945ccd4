package dev.aimesh.proxy.filter.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import dev.aimesh.core.audit.SecurityEvent;
import dev.aimesh.core.identity.SpiffeId;
import dev.aimesh.core.ratelimit.RateLimits;
import dev.aimesh.proxy.filter.TestBodyPipeline;

/**
 * The filter in a real exchange handler, on an HTTP/1.1 connection and on an HTTP/2 stream, in front of an HTTP/1.1
 * model: a caller over its request limit is answered 429 with the RateLimit fields and the model never sees the
 * request; a streamed answer that runs through the caller's token budget ends after its last whole event with an
 * error event, and the next request is refused; a reservation the answer did not use is given back.
 */
class RateLimitPipelineTest {
    private static final SpiffeId CHAT = SpiffeId.parse("spiffe://cluster.local/ns/apps/sa/chat");
    private final RateLimitTestPolicies.Events events = new RateLimitTestPolicies.Events();
    private final RateLimitFilter filter = new RateLimitFilter(RateLimitTestPolicies.config(events));
    private TestBodyPipeline pipeline;

    @AfterEach
    void close() {
        pipeline.close();
    }

    /** A new connection (or stream) of the same proxy: the counters are the filter's. */
    private void connect(boolean http2, RateLimits limits) {
        if (pipeline != null) {
            pipeline.close();
        }
        pipeline = new TestBodyPipeline(http2, chain -> RateLimitTestPolicies.snapshot(limits, chain.of(filter)), CHAT);
    }

    private List<String> answer(DefaultFullHttpResponse response) {
        pipeline.upstream.writeInbound(response);
        return pipeline.answered();
    }

    private static DefaultFullHttpResponse json(String body) {
        DefaultFullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        response.headers().set("content-type", "application/json").set("content-length", body.length());
        return response;
    }

    @ParameterizedTest(name = "HTTP/2: {0}")
    @ValueSource(booleans = {false, true})
    void aCallerOverItsRequestLimitIsRefusedWithTheRateLimitFields(boolean http2) {
        RateLimits limits = RateLimitTestPolicies.limits("limits: [{name: calls, requests: 2, per: 1h}]");
        for (int i = 0; i < 2; i++) {
            connect(http2, limits);
            pipeline.post("/v1/embeddings", "{\"input\": \"x\"}");
            assertThat(pipeline.forwarded()[0]).as("request %d reaches the model", i + 1).isNotNull();
            List<String> ok = answer(json("{}"));
            String left = "ratelimit: \"budget/calls\";r=" + (1 - i) + ";t=";
            assertThat(ok.get(0)).contains("200");
            assertThat(ok).contains("ratelimit-policy: \"budget/calls\";q=2;w=3600").anyMatch(line -> line.startsWith(left));
        }
        connect(http2, limits);
        pipeline.post("/v1/embeddings", "{\"input\": \"x\"}");
        assertThat(pipeline.forwarded()[0]).as("the third never reaches the model").isNull();
        List<String> refused = pipeline.answered();
        assertThat(refused.get(0)).contains("429");
        assertThat(refused).contains("x-aimesh-reason: rate-limited", "ratelimit-policy: \"budget/calls\";q=2;w=3600")
                .anyMatch(line -> line.matches("retry-after: (1[0-9]{3}|[1-9][0-9]{2})"))
                .anyMatch(line -> line.startsWith("ratelimit: \"budget/calls\";r=0;t="));
        assertThat(TestBodyPipeline.body(refused)).contains("limit budget/calls (2 requests per 1h for each caller)");
        assertThat(events.reported).singleElement().satisfies(e -> {
            assertThat(e.type()).isEqualTo(SecurityEvent.Type.RATE_LIMITED);
            assertThat(e.fields()).containsEntry(SecurityEvent.Field.POLICY, "models/budget")
                    .containsEntry(SecurityEvent.Field.RULE, "calls");
        });
    }

    @ParameterizedTest(name = "HTTP/2: {0}")
    @ValueSource(booleans = {false, true})
    void aStreamThatRunsThroughTheTokenBudgetEndsAfterItsLastWholeEventAndTheNextRequestIsRefused(boolean http2) {
        RateLimits limits = RateLimitTestPolicies.limits("limits: [{name: tokens, tokens: 30, per: 1h}]");
        connect(http2, limits);
        pipeline.post("/v1/chat/completions", "{\"stream\": true, \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}");
        assertThat(pipeline.forwarded()[0]).isNotNull(); // 1 + 3 tokens of prompt reserved: 26 left
        DefaultHttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set("content-type", "text/event-stream").set("transfer-encoding", "chunked");
        String event = "data: {\"choices\":[{\"delta\":{\"content\":\"one two three four five\"}}]}\n\n";
        pipeline.upstream.writeInbound(head);
        for (int i = 0; i < 4; i++) { // 20 tokens, in pieces that cut events in two
            pipeline.upstream.writeInbound(new DefaultHttpContent(Unpooled.copiedBuffer(event.substring(0, 30), StandardCharsets.UTF_8)),
                    new DefaultHttpContent(Unpooled.copiedBuffer(event.substring(30), StandardCharsets.UTF_8)));
        }
        pipeline.upstream.writeInbound(new DefaultHttpContent(Unpooled.copiedBuffer(event + event, StandardCharsets.UTF_8)));
        // past the cut, the upstream's answer goes nowhere
        pipeline.upstream.writeInbound(new DefaultLastHttpContent(Unpooled.copiedBuffer(event + "data: [DONE]\n\n",
                StandardCharsets.UTF_8)));
        List<String> streamed = pipeline.answered();
        String body = TestBodyPipeline.body(streamed);
        assertThat(body).startsWith(event.repeat(5)).doesNotContain("[DONE]").doesNotContain("<unterminated>");
        assertThat(body.substring(event.length() * 5)).startsWith("event: error\ndata: {\"error\":{\"type\":"
                + "\"token_budget_exhausted\",\"code\":\"token-budget-exhausted\",\"message\":\"the answer was ended: limit"
                + " budget/tokens (30 tokens per 1h for each caller) ran out after 30 tokens of it").endsWith("}}\n\n");
        assertThat(events.reported).extracting(SecurityEvent::type).containsExactly(SecurityEvent.Type.RATE_LIMIT_STREAM_ENDED);

        connect(http2, limits);
        pipeline.post("/v1/chat/completions", "{\"messages\": [{\"role\": \"user\", \"content\": \"again\"}]}");
        assertThat(pipeline.forwarded()[0]).isNull();
        assertThat(pipeline.answered().get(0)).contains("429");
    }

    @ParameterizedTest(name = "HTTP/2: {0}")
    @ValueSource(booleans = {false, true})
    void whatAReservationDidNotUseIsGivenBackFromTheReportedUsage(boolean http2) {
        RateLimits limits = RateLimitTestPolicies.limits("limits: [{name: tokens, tokens: 200, per: 1h}]");
        connect(http2, limits);
        pipeline.post("/v1/chat/completions", "{\"max_tokens\": 150, \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}");
        pipeline.forwarded();
        List<String> first = answer(json("{\"choices\":[{\"message\":{\"content\":\"a b c\"}}],"
                + "\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":3}}"));
        assertThat(first).as("while the answer is out, 154 are reserved").contains("ratelimit: \"budget/tokens\";r=46;t=2772");

        connect(http2, limits);
        pipeline.post("/v1/chat/completions", "{\"max_tokens\": 150, \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}");
        assertThat(pipeline.forwarded()[0]).as("settled at 7 + 3: room for another 154").isNotNull();
        assertThat(answer(json("{}"))).anyMatch(line -> line.startsWith("ratelimit: \"budget/tokens\";r=36;"));
    }

    @ParameterizedTest(name = "HTTP/2: {0}")
    @ValueSource(booleans = {false, true})
    void anAnswerThatCouldNotBeCutIsPaidForPastTheBudgetAndTheModelIsAskedForItUncompressed(boolean http2) {
        RateLimits limits = RateLimitTestPolicies.limits("limits: [{name: tokens, tokens: 200, per: 1h}]");
        connect(http2, limits);
        pipeline.post("/v1/chat/completions", "{\"max_tokens\": 10, \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}");
        io.netty.handler.codec.http.HttpRequest forwarded = (io.netty.handler.codec.http.HttpRequest) pipeline.forwarded()[0];
        assertThat(forwarded.headers().contains("accept-encoding")).as("a compressed answer could not be counted").isFalse();
        answer(json("{\"choices\":[],\"usage\":{\"prompt_tokens\":4,\"completion_tokens\":396}}"));

        connect(http2, limits);
        pipeline.post("/v1/chat/completions", "{\"max_tokens\": 10, \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}");
        assertThat(pipeline.forwarded()[0]).isNull();
        // 400 used of 200 an hour: the key waits out the hour's debt, then the hour's budget comes back
        assertThat(pipeline.answered()).anyMatch(line -> line.matches("ratelimit: \"budget/tokens\";r=0;t=(71[0-9]{2}|720[0-9])"));
    }

    @ParameterizedTest(name = "HTTP/2: {0}")
    @ValueSource(booleans = {false, true})
    void aRequestThatCouldNeverFitSaysSoWithoutARetry(boolean http2) {
        connect(http2, RateLimitTestPolicies.limits("limits: [{name: tokens, tokens: 100, per: 1m}]"));
        pipeline.post("/v1/chat/completions", "{\"max_tokens\": 4096, \"prompt\": \"hi\"}");
        assertThat(pipeline.forwarded()[0]).isNull();
        List<String> refused = pipeline.answered();
        assertThat(refused).contains("x-aimesh-reason: rate-limit-request-too-large").noneMatch(l -> l.startsWith("retry-after"));
        assertThat(TestBodyPipeline.body(refused)).contains("needs ~4100 tokens, more than limit budget/tokens allows in a whole"
                + " window (100 tokens per 1m); ask for fewer max_tokens");
    }
}
