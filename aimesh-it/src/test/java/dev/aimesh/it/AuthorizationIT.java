package dev.aimesh.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import dev.aimesh.testkit.CliProcess.Result;
import dev.aimesh.testkit.Curl;
import dev.aimesh.testkit.EchoUpstream;
import dev.aimesh.testkit.ModelAndCallers;
import dev.aimesh.testkit.TestMesh;
import dev.aimesh.proxy.Proxy;

/**
 * Istio AuthorizationPolicy enforced by the model's proxy: two callers (apps/app and web/site) call the
 * model through their own proxies with curl, on HTTP/1.1 and HTTP/2; what a policy denies gets Istio's
 * 403 and never reaches the model; path tricks are decided on the normalized path or refused; a policy
 * change in the config directory applies to the next request on the connections already open.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AuthorizationIT {
    private static final String POLICY = """
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: model-callers, namespace: models}
            spec:
              targetRefs: [{kind: Service, name: model}]
              rules:
              - from: [{source: {principals: ["cluster.local/ns/apps/sa/app"]}}]
                to: [{operation: {methods: ["GET", "POST"], paths: ["/echo", "/admin/{**}", "/v1/{**}", "/V1/{**}", "/v2/{**}"]}}]
              %s
            ---
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: no-admin, namespace: models}
            spec:
              action: DENY
              rules: [{to: [{operation: {paths: ["/admin/*"]}}]}]
            ---
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: no-huge-models, namespace: models}
            spec:
              action: DENY
              rules: [{when: [{key: request.model, values: ["huge-*"]}]}]
            ---
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: no-model-admin, namespace: models}
            spec:
              action: DENY
              rules: [{when: [{key: request.ai.operation, values: ["admin"]}]}]
            """;
    private static final String SITE_RULE = """
            - from: [{source: {namespaces: ["web"]}}]
                to: [{operation: {methods: ["GET"], paths: ["/echo"]}}]""";

    @TempDir
    static Path tmp;
    private static TestMesh mesh;
    private static ModelAndCallers cast;
    private static EchoUpstream model;
    private static Proxy server;
    private static Proxy app;
    private static Proxy site;

    @BeforeAll
    static void startMesh() throws Exception {
        mesh = new TestMesh(tmp, TestMesh.meshWithLifetime("1h"), InstantSource.system());
        mesh.write("site.yaml", TestMesh.SITE);
        mesh.write("policies.yaml", POLICY.formatted(""));
        mesh.restart();
        cast = ModelAndCallers.start(mesh);
        model = cast.model();
        server = cast.server();
        app = cast.app();
        site = cast.site();
    }

    @AfterAll
    static void stopMesh() {
        cast.close();
        mesh.close();
    }

    private static Result call(Proxy caller, String protocol, String method, String path) {
        return Curl.run(protocol, "http://127.0.0.1:" + caller.outboundAddress().orElseThrow().getPort() + path,
                "--path-as-is", "-X", method, "-H", "Host: model.models", "-D", "-");
    }

    private static Result chat(String protocol, String body) throws java.io.IOException {
        Path file = Files.writeString(tmp.resolve("body-" + System.nanoTime() + ".json"), body);
        return Curl.run(protocol, "http://127.0.0.1:" + app.outboundAddress().orElseThrow().getPort() + "/v1/chat/completions",
                "-H", "Host: model.models", "-H", "content-type: application/json", "--data-binary", "@" + file, "-D", "-");
    }

    private static Result post(String protocol, String method, String path, String contentType, String body) throws java.io.IOException {
        Path file = Files.writeString(tmp.resolve("body-" + System.nanoTime()), body);
        return Curl.run(protocol, "http://127.0.0.1:" + app.outboundAddress().orElseThrow().getPort() + path, "--path-as-is",
                "-X", method, "-H", "Host: model.models", "-H", "content-type: " + contentType, "--data-binary", "@" + file, "-D", "-");
    }

    private static void assertStatus(Result r, int status) {
        Curl.assertStatus(r, status);
    }

    @Order(2)
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"http1.1", "h2"})
    void whatNoRuleAllowsGetsIstiosForbiddenAndNeverReachesTheModel(String protocol) {
        int before = model.requests();
        Result otherCaller = call(site, protocol, "GET", "/echo");
        assertStatus(otherCaller, 403);
        assertThat(otherCaller.out()).contains("RBAC: access denied").containsIgnoringCase("x-aimesh-reason: rbac-denied");
        assertStatus(call(app, protocol, "DELETE", "/echo"), 403);
        assertStatus(call(app, protocol, "GET", "/other"), 403);
        assertThat(model.requests()).isEqualTo(before);
    }

    @Order(3)
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"http1.1", "h2"})
    void pathTricksAreDecidedOnTheNormalizedPathOrRefused(String protocol) {
        int before = model.requests();
        assertStatus(call(app, protocol, "GET", "/admin/users"), 403);          // the DENY
        assertStatus(call(app, protocol, "GET", "/echo/../admin/users"), 403);  // dot segments
        assertStatus(call(app, protocol, "GET", "/%61dmin/users"), 403);        // encoded unreserved character
        assertStatus(call(app, protocol, "GET", "//admin//users"), 403);        // merged slashes
        assertStatus(call(app, protocol, "GET", "/admin%2Fusers"), 400);        // encoded slash: ambiguous
        assertStatus(call(app, protocol, "GET", "/admin/%2e%2e%5Cusers"), 400); // encoded backslash
        assertThat(model.requests()).isEqualTo(before);
        // the model is sent the path the decision was made on, with the query as it came
        Result r = call(app, protocol, "GET", "/x/../echo");
        assertStatus(r, 200);
        assertThat(r.out()).contains("path=/echo\n");
        Result admin = call(app, protocol, "GET", "/admin/x/../../v1//models?x=%2F");
        assertStatus(admin, 200);
        assertThat(admin.out()).contains("path=/v1/models?x=%2F\n");
    }

    @Order(3)
    @Test
    void aWorkloadCanHaveItsModelSentTheRawPathInstead() {
        mesh.write("workloads.yaml", TestMesh.WORKLOADS.replace("spec: {serviceAccount: llm}",
                "spec: {serviceAccount: llm, inbound: {upstream: \"127.0.0.1:" + model.address().getPort()
                        + "\", forwardedPath: raw}}"));
        try {
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(call(app, "h2", "GET", "/x/../echo").out())
                    .contains("path=/x/../echo\n"));
            assertThat(call(app, "http1.1", "GET", "/%65cho").out()).contains("status=200", "path=/%65cho\n");
        } finally {
            mesh.write("workloads.yaml", TestMesh.WORKLOADS);
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(call(app, "h2", "GET", "/x/../echo").out())
                .contains("path=/echo\n"));
    }

    @Order(4)
    @Test
    void aPolicyChangeAppliesOnOpenConnectionsAndABadOneIsRefusedWhole() {
        assertStatus(call(site, "h2", "GET", "/echo"), 403);
        mesh.write("policies.yaml", POLICY.formatted(SITE_RULE));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertStatus(call(site, "h2", "GET", "/echo"), 200));
        assertStatus(call(site, "http1.1", "GET", "/echo"), 200);
        assertStatus(call(site, "http1.1", "POST", "/echo"), 403);

        String running = server.appliedConfigVersion();
        mesh.write("policies.yaml", POLICY.formatted(SITE_RULE).replace("methods: [\"GET\"]", "methods: [\"GTE\"]"));
        await().atMost(Duration.ofSeconds(10)).until(() -> !mesh.cp.lastRejection().isEmpty());
        assertThat(mesh.cp.lastRejection().get(0).toString())
                .contains("policies.yaml:10:33: ", "spec.rules[1].to[0].operation.methods[0]: 'GTE' is not an HTTP method");
        assertThat(server.appliedConfigVersion()).isEqualTo(running);
        assertStatus(call(site, "h2", "GET", "/echo"), 200);
    }

    @Order(4)
    @Test
    void aLiveEditWithAPrincipalOfTheWrongShapeIsRefusedInTheConsoleAndTheCallerKeepsItsAccess() {
        var console = new ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent>();
        var logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(dev.aimesh.controlplane.ControlPlane.class);
        console.start();
        logger.addAppender(console);
        try {
            mesh.write("policies.yaml", POLICY.formatted(SITE_RULE));
            await().atMost(Duration.ofSeconds(10)).until(() -> mesh.cp.lastRejection().isEmpty());
            String running = server.appliedConfigVersion();
            for (String wrong : List.of("apps/app", "ns/apps/sa/app", "cluster.local/apps/app")) {
                mesh.write("policies.yaml", POLICY.formatted(SITE_RULE).replace("cluster.local/ns/apps/sa/app", wrong));
                String problem = "policies.yaml:7:35: spec.rules[0].from[0].source.principals[0]: '" + wrong
                        + "' is not a principal (expected: <trust-domain>/ns/<namespace>/sa/<service-account>)";
                await().atMost(Duration.ofSeconds(10)).until(() -> mesh.cp.lastRejection().toString().contains(problem));
                assertThat(console.list.stream().map(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage))
                        .anySatisfy(line -> assertThat(line).contains("config change refused, the running config stays", problem));
                assertThat(server.appliedConfigVersion()).isEqualTo(running);
                for (String protocol : List.of("http1.1", "h2")) {
                    assertStatus(call(app, protocol, "GET", "/echo"), 200); // the real caller is not locked out
                }
            }
        } finally {
            logger.detachAppender(console);
            mesh.write("policies.yaml", POLICY.formatted(SITE_RULE));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> mesh.cp.lastRejection().isEmpty());
    }

    @Order(5)
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"http1.1", "h2"})
    void theModelNamedInTheBodyIsPolicyAndWhatIsAmbiguousIsRefused(String protocol) throws Exception {
        Result small = chat(protocol, "{\"model\":\"small-1\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertStatus(small, 200);
        assertThat(small.out()).contains("path=/v1/chat/completions", "body=");
        int before = model.requests();
        Result huge = chat(protocol, "{\"messages\":[{\"role\":\"user\",\"model\":\"small-1\"}],\"model\":\"huge-70b\"}");
        assertStatus(huge, 403);
        assertThat(huge.out()).contains("RBAC: access denied");
        Result twice = chat(protocol, "{\"model\":\"small-1\",\"model\":\"huge-70b\"}");
        assertStatus(twice, 400);
        assertThat(twice.out()).contains("names \"model\" twice").containsIgnoringCase("x-aimesh-reason: ambiguous-model");
        assertStatus(chat(protocol, "{\"model\": huge}"), 400);
        Result tooLarge = chat(protocol, "{\"model\":\"small-1\",\"input\":\"" + "x".repeat(1_100_000) + "\"}");
        assertStatus(tooLarge, 413);
        assertThat(tooLarge.out()).contains("larger than the 1048576 bytes read to find its model");
        assertThat(model.requests()).isEqualTo(before);
    }

    @Order(6)
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"http1.1", "h2"})
    void aRuleOnTheModelIsEnforcedOnEveryRouteAndMethodAndFailsClosedWhenTheModelIsUnknown(String protocol) throws Exception {
        int before = model.requests();
        String huge = "{\"model\":\"huge-70b\",\"messages\":[]}";
        for (String path : List.of("/v1/chat/completions/", "/v1/chat/completions;x", "/V1/CHAT/COMPLETIONS", "/v1/responses",
                "/v1/chat//completions")) {
            Result r = post(protocol, "POST", path, "application/json", huge);
            assertStatus(r, 403);
            assertThat(r.out()).as(path).contains("RBAC: access denied");
        }
        assertStatus(post(protocol, "PUT", "/v1/chat/completions", "application/json", huge), 403);
        assertStatus(post(protocol, "POST", "/v1/chat/completions", "text/plain", huge), 403); // Go servers ignore the type
        assertStatus(post(protocol, "POST", "/v1/models/huge-70b:predict", "application/json", "{\"instances\":[1]}"), 403);
        // not JSON, so the model the server reads cannot be known: the DENY on request.model matches
        assertStatus(post(protocol, "POST", "/v1/audio/transcriptions", "multipart/form-data; boundary=x",
                "--x\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\nhuge-70b\r\n--x--\r\n"), 403);
        assertStatus(post(protocol, "POST", "/echo", "text/plain", "model=huge-70b"), 403);
        // Go's encoding/json reads "Model" as the model: two spellings are refused, not guessed
        Result cased = post(protocol, "POST", "/v1/chat/completions", "application/json",
                "{\"model\":\"small-1\",\"Model\":\"huge-70b\"}");
        assertStatus(cased, 400);
        assertThat(cased.out()).containsIgnoringCase("x-aimesh-reason: ambiguous-model");
        assertStatus(post(protocol, "POST", "/v1/chat/completions", "application/json",
                "{\"model\":\"small-1\",\"mod\\u0065l\":\"huge-70b\"}"), 400);
        assertThat(model.requests()).isEqualTo(before);
        // what the rule allows still passes, on any route, and a bodiless call needs no model
        assertStatus(post(protocol, "POST", "/v1/chat/completions/", "application/json", "{\"model\":\"small-1\"}"), 200);
        assertStatus(call(app, protocol, "GET", "/v1/models"), 200);
    }

    @Order(7)
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"http1.1", "h2"})
    void aRuleOnTheOperationAppliesToTheRouteWithATrailingSlashParametersOrAnotherCase(String protocol) throws Exception {
        int before = model.requests();
        for (String path : List.of("/v2/models/m/load", "/v2/models/m/load/", "/v2/models/m/LOAD", "/v2/models/m/unload;x",
                "/v2/models/m/versions/2/unload/", "/v2/repository/models/m/load")) {
            Result r = post(protocol, "POST", path, "application/json", "{}");
            assertStatus(r, 403);
            assertThat(r.out()).as(path).contains("RBAC: access denied");
        }
        assertThat(model.requests()).isEqualTo(before);
        assertStatus(post(protocol, "POST", "/v2/models/m/infer/", "application/json", "{\"inputs\":[]}"), 200);
    }
}
