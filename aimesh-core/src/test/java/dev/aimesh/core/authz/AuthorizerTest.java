package dev.aimesh.core.authz;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import dev.aimesh.core.identity.SpiffeId;
import dev.aimesh.core.resource.ConfigLoader;
import dev.aimesh.core.resource.MeshConfig;

class AuthorizerTest {
    private static Authorizer authorizer(String policies) {
        var loaded = ConfigLoader.load(List.of(new ConfigLoader.SourceFile("p.yaml", policies)));
        assertThat(loaded.diagnostics()).isEmpty();
        return Authorizer.forWorkload(MeshConfig.assemble(loaded.resources()).config(), "models", "llm", java.util.Map.of());
    }

    private static AuthzRequest from(String principal, String method, String path) {
        return AuthzRequest.builder(method, path).peer(Optional.of(SpiffeId.parse("spiffe://" + principal))).build();
    }

    @Test
    void theFirstMatchingRuleInOrderDecidesWhetherItNamesThePrincipalOrNot() {
        Authorizer a = authorizer("""
                apiVersion: security.istio.io/v1
                kind: AuthorizationPolicy
                metadata: {name: a, namespace: models}
                spec:
                  rules:
                  - from: [{source: {principals: ["cluster.local/ns/apps/*"]}}]
                    to: [{operation: {paths: ["/v1/*"]}}]
                  - from: [{source: {principals: ["cluster.local/ns/apps/sa/chat"]}}]
                  - from: [{source: {principals: ["cluster.local/ns/apps/sa/chat", "cluster.local/ns/apps/sa/web"]}}]
                    to: [{operation: {methods: ["DELETE"]}}]
                  - to: [{operation: {methods: ["HEAD"]}}]
                """);
        assertThat(a.decide(from("cluster.local/ns/apps/sa/chat", "GET", "/v1/x")).rule()).isEqualTo(0);
        assertThat(a.decide(from("cluster.local/ns/apps/sa/chat", "GET", "/other")).rule()).isEqualTo(1);
        assertThat(a.decide(from("cluster.local/ns/apps/sa/web", "DELETE", "/other")).rule()).isEqualTo(2);
        assertThat(a.decide(from("cluster.local/ns/web/sa/site", "HEAD", "/")).rule()).isEqualTo(3);
        assertThat(a.decide(from("cluster.local/ns/web/sa/site", "GET", "/")).allowed()).isFalse();
        assertThat(a.decide(AuthzRequest.builder("HEAD", "/").build()).rule()).isEqualTo(3);
    }

    @Test
    void dryRunPoliciesReportWhatTheyWouldDecideAndAuditPoliciesMarkTheRequest() {
        Authorizer a = authorizer("""
                apiVersion: security.istio.io/v1
                kind: AuthorizationPolicy
                metadata: {name: trial, namespace: models, annotations: {istio.io/dry-run: "true"}}
                spec:
                  action: DENY
                  rules: [{to: [{operation: {methods: ["DELETE"]}}]}]
                ---
                apiVersion: security.istio.io/v1
                kind: AuthorizationPolicy
                metadata: {name: writes, namespace: models}
                spec:
                  action: AUDIT
                  rules: [{to: [{operation: {methods: ["POST", "DELETE"]}}]}]
                """);
        AuthzDecision delete = a.decide(from("cluster.local/ns/apps/sa/chat", "DELETE", "/x"));
        assertThat(delete.allowed()).isTrue();
        assertThat(delete.audited()).containsExactly("models/writes");
        assertThat(delete.dryRun()).hasValueSatisfying(d -> {
            assertThat(d.allowed()).isFalse();
            assertThat(d.reason()).isEqualTo("denied by DENY policy models/trial, rule 0");
        });
        AuthzDecision get = a.decide(from("cluster.local/ns/apps/sa/chat", "GET", "/x"));
        assertThat(get.audited()).isEmpty();
        assertThat(get.dryRun()).hasValueSatisfying(d -> assertThat(d.allowed()).isTrue());
    }

    @Test
    void aModelThatCannotBeDeterminedMatchesEveryDenyOnTheModelAndNoAllow() {
        Authorizer a = authorizer("""
                apiVersion: security.istio.io/v1
                kind: AuthorizationPolicy
                metadata: {name: no-huge, namespace: models}
                spec:
                  action: DENY
                  rules: [{when: [{key: request.model, values: ["huge-*"]}]}]
                ---
                apiVersion: security.istio.io/v1
                kind: AuthorizationPolicy
                metadata: {name: only-small, namespace: models}
                spec:
                  rules:
                  - when: [{key: request.model, notValues: ["huge-*"]}]
                  - to: [{operation: {paths: ["/health"]}}]
                """);
        var call = dev.aimesh.core.ai.ModelCall.of("POST", "/v1/chat/completions/");
        var undetermined = AuthzRequest.builder("POST", "/v1/chat/completions/").model(call.undetermined()).build();
        AuthzDecision denied = a.decide(undetermined);
        assertThat(denied.allowed()).isFalse();
        assertThat(denied.policy()).contains("models/no-huge");
        assertThat(a.decide(AuthzRequest.builder("POST", "/v1/chat/completions/").model(call.withBodyModel(Optional.of("small")))
                .build()).allowed()).isTrue();
        assertThat(a.decide(AuthzRequest.builder("POST", "/v1/chat/completions/").model(call.withBodyModel(Optional.of("huge-1")))
                .build()).allowed()).isFalse();
        // the same request, ALLOW only: its model condition does not match, another rule may still allow
        Authorizer allowOnly = authorizer("""
                apiVersion: security.istio.io/v1
                kind: AuthorizationPolicy
                metadata: {name: only-small, namespace: models}
                spec:
                  rules:
                  - when: [{key: request.model, notValues: ["huge-*"]}]
                  - to: [{operation: {paths: ["/health"]}}]
                """);
        assertThat(allowOnly.decide(undetermined).allowed()).isFalse();
        assertThat(allowOnly.decide(AuthzRequest.builder("POST", "/health").model(call.undetermined()).build()).allowed()).isTrue();
        assertThat(allowOnly.decide(AuthzRequest.builder("POST", "/x").model(call).build()).allowed())
                .as("a known absence of a model is not undetermined").isTrue();
    }
}
