package dev.aimesh.core.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import dev.aimesh.core.resource.ConfigLoader;
import dev.aimesh.core.resource.MeshConfig;

class MeshAnalysisTest {
    private static MeshAnalysis.Report analyze(String yaml) {
        var loaded = ConfigLoader.load(List.of(new ConfigLoader.SourceFile("mesh.yaml", yaml)));
        assertThat(loaded.diagnostics()).isEmpty();
        return MeshAnalysis.analyze(MeshConfig.assemble(loaded.resources()).config(), Instant.parse("2027-02-01T00:00:00Z"));
    }

    @Test
    void findsWhatIsLikelyAMistakeAndWhoCanReachEachModel() {
        var report = analyze("""
                apiVersion: aimesh.dev/v1alpha1
                kind: Workload
                metadata: {name: llm, namespace: models, labels: {app: llm}}
                spec: {inbound: {port: 0, upstream: "127.0.0.1:8000"}}
                ---
                apiVersion: aimesh.dev/v1alpha1
                kind: Workload
                metadata: {name: open, namespace: sandbox}
                spec: {inbound: {port: 0, upstream: "127.0.0.1:8001"}}
                ---
                apiVersion: security.istio.io/v1
                kind: PeerAuthentication
                metadata: {name: default, namespace: sandbox}
                spec: {mtls: {mode: PERMISSIVE}}
                ---
                apiVersion: security.istio.io/v1
                kind: AuthorizationPolicy
                metadata: {name: callers, namespace: models}
                spec:
                  rules:
                  - from: [{source: {principals: ["other.example/ns/apps/sa/chat", "cluster.local/ns/apps/sa/chat"]}}]
                  - from: [{source: {requestPrincipals: ["https://login.example/*"]}}]
                  - to: [{operation: {methods: [DELETE], notMethods: [DELETE]}}]
                  - from: [{source: {principals: ["cluster.local/ns/partners/sa/acme"]}}]
                    when: [{key: request.time, values: ["before 2027-01-01T00:00:00Z"]}]
                  - when: [{key: "request.auth.claims[groups]", values: ["admins"]}]
                ---
                apiVersion: security.istio.io/v1
                kind: AuthorizationPolicy
                metadata: {name: everything, namespace: sandbox}
                spec:
                  rules: [{}]
                ---
                apiVersion: security.istio.io/v1
                kind: AuthorizationPolicy
                metadata: {name: stale, namespace: models}
                spec:
                  selector: {matchLabels: {app: gone}}
                """);
        assertThat(report.findings().stream().map(Finding::toString).toList()).containsExactly(
                "mesh.yaml:21:5: warning: AuthorizationPolicy models/callers rule 0: principal other.example/ns/apps/sa/chat"
                        + " is of trust domain other.example, not this mesh's (cluster.local): it can never match",
                "mesh.yaml:22:5: warning: AuthorizationPolicy models/callers rule 1: names requestPrincipals, but no"
                        + " RequestAuthentication applies to models/llm: no request there has one",
                "mesh.yaml:23:5: warning: AuthorizationPolicy models/callers rule 2: every method it names is also in"
                        + " notMethods (DELETE): it can never match",
                "mesh.yaml:24:5: warning: AuthorizationPolicy models/callers rule 3: the grant 'before 2027-01-01T00:00:00Z'"
                        + " has expired: the rule can no longer match on it",
                "mesh.yaml:26:5: warning: AuthorizationPolicy models/callers rule 4: has a condition on"
                        + " request.auth.claims[groups], but no RequestAuthentication applies to models/llm: no request there"
                        + " has a validated token, so it can never match",
                "mesh.yaml:34:1: warning: AuthorizationPolicy models/stale: selects no workload",
                "mesh.yaml:32:11: warning: AuthorizationPolicy sandbox/everything rule 0: allows every request to sandbox/open"
                        + " (a rule with no from, to or when matches all)",
                "mesh.yaml:6:1: warning: Workload sandbox/open: accepts plain text, without mTLS (PERMISSIVE by the"
                        + " namespace policy sandbox/default)");
        assertThat(report.reach()).containsExactly(
                new MeshAnalysis.Reach("models/llm", false, List.of(
                        "cluster.local/ns/apps/sa/chat (models/callers rule 0)",
                        "end users https://login.example/* (models/callers rule 1)",
                        "any caller (models/callers rule 2, with conditions)",
                        "cluster.local/ns/partners/sa/acme (models/callers rule 3, with conditions)",
                        "any caller (models/callers rule 4, with conditions)")),
                new MeshAnalysis.Reach("sandbox/open", false, List.of("any caller (sandbox/everything rule 0)")));
    }

    @Test
    void dataLossPreventionThatCanNeverApplyIsReported() {
        var report = analyze("""
                apiVersion: aimesh.dev/v1alpha1
                kind: Workload
                metadata: {name: llm, namespace: models, labels: {app: llm}}
                spec: {inbound: {port: 0, upstream: "127.0.0.1:8000"}}
                ---
                apiVersion: aimesh.dev/v1alpha1
                kind: Workload
                metadata: {name: chat, namespace: apps, labels: {environment: dev}}
                ---
                apiVersion: aimesh.dev/v1alpha1
                kind: DataLossPreventionPolicy
                metadata: {name: cards, namespace: models}
                spec:
                  selector: {matchLabels: {app: llm}}
                  rules:
                  - {detectors: [payment-card], action: block}
                  - {name: dev, detectors: [email], action: redact, callers: {labels: {environment: dev}}}
                  - {name: stage, detectors: [email], action: redact, callers: {namespaces: [staging], labels: {env: stage}}}
                ---
                apiVersion: aimesh.dev/v1alpha1
                kind: DataLossPreventionPolicy
                metadata: {name: callers-only, namespace: apps}
                spec:
                  rules: [{detectors: [email], action: audit}]
                """);
        assertThat(report.findings().stream().map(Finding::toString).toList()).containsExactly(
                "mesh.yaml:20:1: warning: DataLossPreventionPolicy apps/callers-only: selects no workload that serves a model"
                        + " (the model's inbound proxy enforces it)",
                "mesh.yaml:10:1: warning: DataLossPreventionPolicy models/cards: rule stage: no workload in namespace staging"
                        + " calls with these callers",
                "mesh.yaml:10:1: warning: DataLossPreventionPolicy models/cards: rule stage: no workload has the labels"
                        + " {env=stage}");
    }

    @Test
    void rateLimitsThatCanNeverBindAreReported() {
        var report = analyze("""
                apiVersion: aimesh.dev/v1alpha1
                kind: Workload
                metadata: {name: llm, namespace: models, labels: {app: llm}}
                spec: {inbound: {port: 0, upstream: "127.0.0.1:8000"}}
                ---
                apiVersion: aimesh.dev/v1alpha1
                kind: Workload
                metadata: {name: chat, namespace: apps}
                spec: {serviceAccount: chat}
                ---
                apiVersion: aimesh.dev/v1alpha1
                kind: RateLimitPolicy
                metadata: {name: budget, namespace: models}
                spec:
                  limits:
                  - {name: chat, tokens: 100, per: 1m, when: {principals: ["cluster.local/ns/apps/sa/chat"]}}
                  - {name: gone, tokens: 100, per: 1m, when: {principals: ["cluster.local/ns/apps/sa/old-*"]}}
                  - {name: other, requests: 5, per: 1m, when: {principals: ["example.org/ns/apps/sa/chat"], namespaces: [jobs]}}
                  - {name: users, requests: 5, per: 1m, by: [requestPrincipal]}
                ---
                apiVersion: aimesh.dev/v1alpha1
                kind: RateLimitPolicy
                metadata: {name: nothing, namespace: apps}
                spec:
                  limits: [{requests: 1, per: 1s}]
                """);
        assertThat(report.findings().stream().map(Finding::toString).toList()).containsExactly(
                "mesh.yaml:21:1: warning: RateLimitPolicy apps/nothing: selects no workload that serves a model (the model's"
                        + " inbound proxy enforces it): its limits never bind",
                "mesh.yaml:11:1: warning: RateLimitPolicy models/budget limit gone: no workload calls as"
                        + " cluster.local/ns/apps/sa/old-*",
                "mesh.yaml:11:1: warning: RateLimitPolicy models/budget limit other: its principals are all of another trust"
                        + " domain than this mesh's (cluster.local): it never binds",
                "mesh.yaml:11:1: warning: RateLimitPolicy models/budget limit other: no workload is in namespace jobs",
                "mesh.yaml:11:1: warning: RateLimitPolicy models/budget limit users: is keyed by the end user, but no"
                        + " RequestAuthentication applies to models/llm: every request there shares one budget");
    }
}
