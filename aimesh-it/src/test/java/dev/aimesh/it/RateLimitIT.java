package dev.aimesh.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import dev.aimesh.proxy.Proxy;
import dev.aimesh.testkit.CliProcess.Result;
import dev.aimesh.testkit.Curl;
import dev.aimesh.testkit.EchoUpstream;
import dev.aimesh.testkit.ModelAndCallers;
import dev.aimesh.testkit.TestMesh;

/**
 * A RateLimitPolicy enforced by the model's proxy, with curl through the callers' proxies on HTTP/1.1 (caller
 * apps/app) and HTTP/2 (caller web/site), each with its own budget: the third embeddings call within the hour is
 * refused 429 with Retry-After and the RateLimit fields and never reaches the model; a streamed answer that runs
 * through the caller's token budget stops mid-stream with an error event saying why, and the caller's next request
 * is refused; both are in the audit log.
 */
class RateLimitIT {
    private static final String POLICY = """
            apiVersion: aimesh.dev/v1alpha1
            kind: RateLimitPolicy
            metadata: {name: budget, namespace: models}
            spec:
              limits:
                - {name: embeddings, requests: 2, per: 1h, when: {operations: [embeddings]}}
                - {name: tokens, tokens: 150, per: 1h, by: [caller, model]}
            """;
    /** About 100 tokens of prompt; said back as events of 4 bytes, it is well over the 50 left for the answer. */
    private static final String PROMPT = "the quick brown fox jumps over the lazy dog ".repeat(11);

    @TempDir
    static Path tmp;
    private static TestMesh mesh;
    private static ModelAndCallers cast;
    private static EchoUpstream model;

    @BeforeAll
    static void startMesh() throws Exception {
        mesh = new TestMesh(tmp, TestMesh.meshWithLifetime("1h"), InstantSource.system());
        mesh.write("site.yaml", """
                apiVersion: aimesh.dev/v1alpha1
                kind: Workload
                metadata: {name: site, namespace: web}
                """);
        mesh.write("limits.yaml", POLICY);
        mesh.restart();
        cast = ModelAndCallers.start(mesh);
        model = cast.model();
    }

    @AfterAll
    static void stopMesh() {
        cast.close();
        mesh.close();
    }

    private static Proxy caller(String protocol) {
        return protocol.equals("h2") ? cast.site() : cast.app();
    }

    private static Result post(Proxy caller, String protocol, String path, String body) {
        return MeshCalls.post(tmp, caller, protocol, path, body);
    }

    private static List<JsonNode> audit(String type) {
        return MeshCalls.audit(mesh, type);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"http1.1", "h2"})
    void theThirdCallWithinTheWindowIsRefusedWithTheRateLimitFields(String protocol) {
        Proxy caller = caller(protocol);
        for (int i = 0; i < 2; i++) {
            Result ok = post(caller, protocol, "/v1/embeddings", "{\"model\": \"e5\", \"input\": \"hello\"}");
            Curl.assertStatus(ok, 200);
            assertThat(ok.out().toLowerCase()).contains("ratelimit-policy: \"budget/embeddings\";q=2;w=3600");
        }
        int before = model.requests();
        int audited = audit("ratelimit.refused").size();
        Result refused = post(caller, protocol, "/v1/embeddings", "{\"model\": \"e5\", \"input\": \"hello\"}");
        Curl.assertStatus(refused, 429);
        String out = refused.out().toLowerCase();
        assertThat(out).contains("x-aimesh-reason: rate-limited").containsPattern("retry-after: [0-9]+")
                .contains("ratelimit: \"budget/embeddings\";r=0;t=")
                .contains("limit budget/embeddings (2 requests per 1h for each caller) has no room for a request now");
        assertThat(model.requests()).as("the refused call never reached the model").isEqualTo(before);
        await().atMost(Duration.ofSeconds(10)).until(() -> audit("ratelimit.refused").size() > audited);
        JsonNode event = audit("ratelimit.refused").get(audited);
        assertThat(event.path("policy").asText()).isEqualTo("models/budget");
        assertThat(event.path("rule").asText()).isEqualTo("embeddings");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"http1.1", "h2"})
    void aStreamThatRunsThroughTheTokenBudgetStopsWithAFinalEventAndTheNextRequestIsRefused(String protocol) {
        Proxy caller = caller(protocol);
        int ended = audit("ratelimit.stream-ended").size();
        Result stream = post(caller, protocol, "/say?stream", PROMPT);
        Curl.assertStatus(stream, 200);
        String events = stream.out();
        assertThat(events).contains("data: {\"choices\"").doesNotContain("data: [DONE]");
        assertThat(events.substring(events.lastIndexOf("\n\ndata: {\"choices\"") + 2)).as("the last event is the error")
                .contains("event: error\ndata: {\"error\":{\"type\":\"token_budget_exhausted\"")
                .contains("limit budget/tokens (150 tokens per 1h for each caller and model) ran out");
        String said = MeshCalls.streamedText(events);
        assertThat(said.length()).as("the answer stopped part-way").isPositive().isLessThan(PROMPT.length());
        assertThat(PROMPT).startsWith(said);

        int before = model.requests();
        Result next = post(caller, protocol, "/say", "one more");
        Curl.assertStatus(next, 429);
        assertThat(next.out().toLowerCase()).contains("ratelimit: \"budget/tokens\";r=0;");
        assertThat(model.requests()).isEqualTo(before);
        await().atMost(Duration.ofSeconds(10)).until(() -> audit("ratelimit.stream-ended").size() > ended);
        assertThat(audit("ratelimit.stream-ended").get(ended).path("caller").asText())
                .endsWith(protocol.equals("h2") ? "/ns/web/sa/site" : "/ns/apps/sa/app");
    }
}
