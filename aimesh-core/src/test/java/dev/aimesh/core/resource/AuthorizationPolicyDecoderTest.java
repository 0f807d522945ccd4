package dev.aimesh.core.resource;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import dev.aimesh.core.config.Diagnostic;

class AuthorizationPolicyDecoderTest {
    private static List<String> problems(String yaml) {
        var result = ConfigLoader.load(List.of(new ConfigLoader.SourceFile("policies/models.yaml", yaml)));
        assertThat(result.resources()).as("a resource with problems is rejected whole").isEmpty();
        return result.diagnostics().stream().map(Diagnostic::toString).toList();
    }

    @Test
    void everyProblemIsReportedWithFileLineColumnAndField() {
        assertThat(problems("""
                apiVersion: security.istio.io/v1
                kind: AuthorizationPolicy
                metadata:
                  name: models
                  namespace: models
                spec:
                  action: PERMIT
                  rules:
                  - from:
                    - source:
                        principals: ["spiffe://cluster.local/ns/a/sa/b", "cluster.local/ns//sa/x"]
                        ipBlocks: ["10.0.0.0/33"]
                    to:
                    - operation:
                        methods: ["GET", "GTE"]
                        paths: ["/v2/{**}/infer", "v1/chat"]
                        ports: ["http"]
                    when:
                    - key: request.headers
                      values: ["x"]
                    - key: request.time
                      values: ["Mon-Fri 25:00-26:00"]
                    - key: request.ai.operation
                      values: ["train"]
                    - key: source.ip
                    - key: request.model
                      values: []
                  - to:
                    - operation: {}
                    - {}
                  - tow: []
                """)).containsExactly(
                "policies/models.yaml:7:11: spec.action: 'PERMIT' is not an action (expected: ALLOW, DENY or AUDIT)",
                "policies/models.yaml:11:22: spec.rules[0].from[0].source.principals[0]: 'spiffe://cluster.local/ns/a/sa/b': "
                        + "write principals without 'spiffe://' (Istio's form: cluster.local/ns/a/sa/b)",
                "policies/models.yaml:11:58: spec.rules[0].from[0].source.principals[1]: 'cluster.local/ns//sa/x' is not a "
                        + "principal (expected: <trust-domain>/ns/<namespace>/sa/<service-account>)",
                "policies/models.yaml:12:20: spec.rules[0].from[0].source.ipBlocks[0]: '10.0.0.0/33': the prefix length must be 0 to 32",
                "policies/models.yaml:17:17: spec.rules[0].to[0].operation.ports[0]: 'http' is not a port number",
                "policies/models.yaml:15:26: spec.rules[0].to[0].operation.methods[1]: 'GTE' is not an HTTP method "
                        + "(expected one of: CONNECT, DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT, TRACE)",
                "policies/models.yaml:16:17: spec.rules[0].to[0].operation.paths[0]: '/v2/{**}/infer': {**} may only be the last segment",
                "policies/models.yaml:16:35: spec.rules[0].to[0].operation.paths[1]: 'v1/chat' is not a path "
                        + "(it must start with '/', or '*' for a suffix)",
                "policies/models.yaml:19:12: spec.rules[0].when[0].key: 'request.headers' is not a condition key (known: "
                        + "request.headers[NAME], connection.sni, destination.ip, destination.port, remote.ip, "
                        + "request.ai.operation, request.auth.audiences, request.auth.presenter, request.auth.principal, "
                        + "request.model, request.time, source.ip, source.namespace, source.principal, request.auth.claims[NAME])",
                "policies/models.yaml:22:16: spec.rules[0].when[1].values[0]: '25:00' is not a time of day "
                        + "(expected: HH:MM, 00:00 to 24:00)",
                "policies/models.yaml:24:16: spec.rules[0].when[2].values[0]: 'train' is not an AI operation "
                        + "(expected one of: chat, completions, embeddings, infer, metadata, admin)",
                "policies/models.yaml:25:7: spec.rules[0].when[3].values: a condition needs values or notValues",
                "policies/models.yaml:27:15: spec.rules[0].when[4].values: is empty; leave it out or give at least one value",
                "policies/models.yaml:29:18: spec.rules[1].to[0].operation: sets no field; leave it out to match everything",
                "policies/models.yaml:30:7: spec.rules[1].to[1].operation: is required",
                "policies/models.yaml:31:5: spec.rules[2].tow: unknown field");
    }

    @Test
    void principalsThatNoWorkloadCanHaveAreRefusedWhereverTheyAreWritten() {
        assertThat(problems("""
                apiVersion: security.istio.io/v1
                kind: AuthorizationPolicy
                metadata: {name: models, namespace: models}
                spec:
                  rules:
                  - from:
                    - source: {principals: ["apps/chat-app"], notPrincipals: ["ns/apps/sa/chat-app"]}
                    - source: {principals: ["cluster.local/apps/*"]}
                    when:
                    - key: source.principal
                      values: ["cluster.local/apps/chat-app"]
                      notValues: ["*apps/chat-app"]
                """)).containsExactly(
                "policies/models.yaml:7:29: spec.rules[0].from[0].source.principals[0]: 'apps/chat-app' is not a principal"
                        + " (expected: <trust-domain>/ns/<namespace>/sa/<service-account>)",
                "policies/models.yaml:7:63: spec.rules[0].from[0].source.notPrincipals[0]: 'ns/apps/sa/chat-app' is not a"
                        + " principal (expected: <trust-domain>/ns/<namespace>/sa/<service-account>)",
                "policies/models.yaml:8:29: spec.rules[0].from[1].source.principals[0]: 'cluster.local/apps/*' can match no"
                        + " principal (expected: a prefix or suffix of <trust-domain>/ns/<namespace>/sa/<service-account>, with '*')",
                "policies/models.yaml:11:16: spec.rules[0].when[0].values[0]: 'cluster.local/apps/chat-app' is not a principal"
                        + " (expected: <trust-domain>/ns/<namespace>/sa/<service-account>)",
                "policies/models.yaml:12:19: spec.rules[0].when[0].notValues[0]: '*apps/chat-app' can match no principal"
                        + " (expected: a prefix or suffix of <trust-domain>/ns/<namespace>/sa/<service-account>, with '*')");
    }

    @Test
    void refusesWhatAimeshCannotEnforce() {
        assertThat(problems("""
                apiVersion: security.istio.io/v1beta1
                kind: AuthorizationPolicy
                metadata: {name: ext, namespace: models, annotations: {istio.io/dry-run: "yes"}}
                spec:
                  selector: {matchLabels: {app: llm}}
                  targetRefs: [{kind: Gateway, group: gateway.networking.k8s.io, name: edge}]
                  action: CUSTOM
                  provider: {name: opa}
                  rules:
                  - when: [{key: "experimental.envoy.filters.network.mysql_proxy[db.table]", values: ["x"]}]
                """)).containsExactly(
                "policies/models.yaml:6:23: spec.targetRefs[0].kind: 'gateway.networking.k8s.io/Gateway' cannot be a "
                        + "target here (expected: kind Service, or group aimesh.dev kind Workload)",
                "policies/models.yaml:5:13: spec.selector: set either selector or targetRefs, not both",
                "policies/models.yaml:7:11: spec.action: CUSTOM (an external authorizer) is not supported; use ALLOW, DENY or AUDIT",
                "policies/models.yaml:8:13: spec.provider: is only for action CUSTOM, which aimesh does not support",
                "policies/models.yaml:10:18: spec.rules[0].when[0].key: 'experimental.envoy.filters.network.mysql_proxy[db.table]' "
                        + "reads Envoy filter metadata, which aimesh does not have",
                "policies/models.yaml:1:1: metadata.annotations[istio.io/dry-run]: 'yes' is not \"true\" or \"false\"");
    }

    @Test
    void acceptsIstioPoliciesAsTheyAre() {
        var result = ConfigLoader.load(List.of(new ConfigLoader.SourceFile("p.yaml", """
                apiVersion: security.istio.io/v1
                kind: AuthorizationPolicy
                metadata: {name: httpbin, namespace: foo}
                spec:
                  selector:
                    matchLabels: {app: httpbin, version: v1}
                  action: ALLOW
                  rules:
                  - from:
                    - source: {principals: ["cluster.local/ns/default/sa/sleep"]}
                    - source: {namespaces: ["test"]}
                    to:
                    - operation: {methods: ["GET"], paths: ["/info*"]}
                    - operation: {methods: ["POST"], paths: ["/data"]}
                    when:
                    - key: request.auth.claims[iss]
                      values: ["https://accounts.google.com"]
                """)));
        assertThat(result.diagnostics()).isEmpty();
        AuthorizationPolicy policy = (AuthorizationPolicy) result.resources().get(0);
        assertThat(policy.ref()).isEqualTo("foo/httpbin");
        assertThat(policy.rules().get(0).from()).hasSize(2);
        assertThat(policy.rules().get(0).to()).hasSize(2);
        assertThat(policy.rules().get(0).when().get(0).values()).containsExactly("https://accounts.google.com");
    }
}
