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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;
import dev.aimesh.proxy.Proxy;
import dev.aimesh.testkit.CliProcess.Result;
import dev.aimesh.testkit.Curl;
import dev.aimesh.testkit.EchoUpstream;
import dev.aimesh.testkit.ModelAndCallers;
import dev.aimesh.testkit.TestMesh;

/**
 * A DataLossPreventionPolicy enforced by the model's proxy, with curl through the callers' proxies on HTTP/1.1 and
 * HTTP/2: a prompt with a card number is refused and never reaches the model, from any caller; an e-mail address in
 * a response, whole or streamed as events that split it, is redacted for the non-production caller (web/site, labelled
 * {@code environment: dev}) and passed to the production one (apps/app); each decision is in the audit log with a
 * salted hash, never the value.
 */
class DataLossPreventionIT {
    private static final String POLICY = """
            apiVersion: aimesh.dev/v1alpha1
            kind: DataLossPreventionPolicy
            metadata: {name: model-data, namespace: models}
            spec:
              rules:
                - {name: no-cards, direction: request, detectors: [payment-card], action: block}
                - name: dev-mail
                  direction: response
                  detectors: [email]
                  action: redact
                  callers: {labels: {environment: dev}}
            """;
    private static final String DEV_SITE = """
            apiVersion: aimesh.dev/v1alpha1
            kind: Workload
            metadata: {name: site, namespace: web, labels: {environment: dev}}
            """;

    @TempDir
    static Path tmp;
    private static TestMesh mesh;
    private static ModelAndCallers cast;
    private static EchoUpstream model;

    @BeforeAll
    static void startMesh() throws Exception {
        mesh = new TestMesh(tmp, TestMesh.meshWithLifetime("1h"), InstantSource.system());
        mesh.write("site.yaml", DEV_SITE);
        mesh.write("dlp.yaml", POLICY);
        mesh.restart();
        cast = ModelAndCallers.start(mesh);
        model = cast.model();
    }

    @AfterAll
    static void stopMesh() {
        cast.close();
        mesh.close();
    }

    private static Result post(Proxy caller, String protocol, String path, String body) {
        return MeshCalls.post(tmp, caller, protocol, path, body);
    }

    private static List<JsonNode> audit(String type) {
        return MeshCalls.audit(mesh, type);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"http1.1", "h2"})
    void aPromptWithACardNumberIsRefusedFromAnyCallerAndNeverReachesTheModel(String protocol) {
        int before = model.requests();
        int audited = audit("dlp.blocked").size();
        for (Proxy caller : List.of(cast.app(), cast.site())) {
            Result r = post(caller, protocol, "/v1/chat/completions",
                    "{\"messages\":[{\"role\":\"user\",\"content\":\"charge 4111 1111 1111 1111 please\"}]}");
            Curl.assertStatus(r, 403);
            assertThat(r.out()).containsIgnoringCase("x-aimesh-reason: dlp-blocked").contains("payment-card")
                    .doesNotContain("4111");
        }
        assertThat(model.requests()).isEqualTo(before);
        await().atMost(Duration.ofSeconds(10)).until(() -> audit("dlp.blocked").size() >= audited + 2);
        JsonNode event = audit("dlp.blocked").get(audited);
        assertThat(event.path("detector").asText()).isEqualTo("payment-card");
        assertThat(event.path("direction").asText()).isEqualTo("request");
        assertThat(event.path("policy").asText()).isEqualTo("models/model-data");
        assertThat(event.path("value_hash").asText()).matches("sha256:[0-9a-f]{16}");
        assertThat(event.toString()).doesNotContain("4111");

        Result clean = post(cast.app(), protocol, "/say", "no card here");
        Curl.assertStatus(clean, 200);
        assertThat(model.requests()).isEqualTo(before + 1);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"http1.1", "h2"})
    void anEmailInAResponseIsRedactedForTheDevCallerAndPassedToTheProductionOne(String protocol) {
        Result dev = post(cast.site(), protocol, "/say", "write to ana@example.com today");
        Curl.assertStatus(dev, 200);
        assertThat(dev.out()).contains("\"content\":\"write to [EMAIL] today\"").doesNotContain("ana@example.com");
        Result prod = post(cast.app(), protocol, "/say", "write to ana@example.com today");
        Curl.assertStatus(prod, 200);
        assertThat(prod.out()).contains("\"content\":\"write to ana@example.com today\"");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"http1.1", "h2"})
    void anEmailSplitAcrossStreamedEventsIsStillRedactedAndTheStreamEndsWell(String protocol) {
        int audited = audit("dlp.redacted").size();
        Result dev = post(cast.site(), protocol, "/say?stream", "mail ana.maria@example.com now");
        Curl.assertStatus(dev, 200);
        String events = dev.out();
        assertThat(events).contains("text/event-stream").contains("data: [DONE]").doesNotContain("example.com")
                .doesNotContain("ana.maria");
        assertThat(MeshCalls.streamedText(events)).isEqualTo("mail [EMAIL] now");
        Result prod = post(cast.app(), protocol, "/say?stream", "mail ana.maria@example.com now");
        assertThat(prod.out()).as("the production caller gets the events as the model sent them").contains("\"content\":\"ia@e\"");
        await().atMost(Duration.ofSeconds(10)).until(() -> audit("dlp.redacted").size() > audited);
        JsonNode event = audit("dlp.redacted").get(audited);
        assertThat(event.path("direction").asText()).isEqualTo("response");
        assertThat(event.path("caller").asText()).endsWith("/ns/web/sa/site");
        assertThat(event.toString()).doesNotContain("ana.maria");
    }
}
