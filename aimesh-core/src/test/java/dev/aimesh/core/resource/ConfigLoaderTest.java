package dev.aimesh.core.resource;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import dev.aimesh.core.config.Diagnostic;
import dev.aimesh.core.resource.ConfigLoader.SourceFile;
import org.junit.jupiter.api.Test;

class ConfigLoaderTest {
    private static ConfigLoader.LoadResult load(String name, String yaml) {
        return ConfigLoader.load(List.of(new SourceFile(name, yaml)));
    }

    private static List<String> messages(ConfigLoader.LoadResult result) {
        return result.diagnostics().stream().map(Diagnostic::toString).toList();
    }

    @Test
    void decodesMeshAndWorkloadsFromOneMultiDocumentFile() {
        var result = load("mesh.yaml", """
                apiVersion: aimesh.dev/v1alpha1
                kind: Mesh
                metadata: {name: default}
                spec:
                  trustDomain: example.org
                  certificates:
                    workloadLifetime: 30m
                    rootLifetime: 48h
                ---
                apiVersion: aimesh.dev/v1alpha1
                kind: Workload
                metadata:
                  name: sentiment
                  namespace: models
                  labels: {app: sentiment, version: v1}
                spec:
                  serviceAccount: sentiment-sa
                ---
                apiVersion: aimesh.dev/v1alpha1
                kind: Workload
                metadata: {name: client}
                """);
        assertThat(result.ok()).as(messages(result).toString()).isTrue();
        MeshConfig config = MeshConfig.assemble(result.resources()).config();
        assertThat(config.mesh().trustDomain().name()).isEqualTo("example.org");
        assertThat(config.mesh().certificates().workloadLifetime()).isEqualTo(Duration.ofMinutes(30));
        assertThat(config.mesh().certificates().rootLifetime()).isEqualTo(Duration.ofHours(48));
        Workload sentiment = config.workload("models/sentiment").orElseThrow();
        assertThat(sentiment.metadata().labels()).containsEntry("version", "v1");
        assertThat(config.spiffeIdOf(sentiment)).hasToString("spiffe://example.org/ns/models/sa/sentiment-sa");
        Workload client = config.workload("client").orElseThrow();
        assertThat(config.spiffeIdOf(client)).hasToString("spiffe://example.org/ns/default/sa/client");
    }

    @Test
    void emptyDocumentsAreSkippedAsKubectlDoes() {
        var result = load("workloads.yaml", """
                ---
                apiVersion: aimesh.dev/v1alpha1
                kind: Workload
                metadata: {name: a}
                ---
                ---
                apiVersion: aimesh.dev/v1alpha1
                kind: Workload
                metadata: {name: b}
                ---
                """);
        assertThat(result.ok()).as(messages(result).toString()).isTrue();
        assertThat(result.resources()).hasSize(2);
    }

    @Test
    void aDocumentThatIsOnlyAScalarIsStillRefused() {
        var result = load("w.yaml", "apiVersion: aimesh.dev/v1alpha1\n---\nhello\n");
        assertThat(result.ok()).isFalse();
    }

    @Test
    void defaultsWithoutAMeshResource() {
        var config = MeshConfig.assemble(List.of()).config();
        assertThat(config.mesh().trustDomain().name()).isEqualTo("cluster.local");
        assertThat(config.mesh().certificates().workloadLifetime()).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void reportsEveryProblemWithFileLineColumnAndField() {
        var result = load("config/mesh.yaml", """
                apiVersion: aimesh.dev/v1alpha1
                kind: Mesh
                metadata:
                  name: default
                spec:
                  trustDomain: Example.org
                  certificates:
                    workloadLifetime: forever
                    rootLifetme: 10h
                """);
        assertThat(result.resources()).isEmpty();
        assertThat(messages(result)).containsExactlyInAnyOrder(
                "config/mesh.yaml:6:16: spec.trustDomain: invalid SPIFFE ID 'Example.org': upper-case letter 'E'"
                        + " at position 0 of the trust domain (expected: a-z, 0-9, '.', '-', '_')",
                "config/mesh.yaml:8:23: spec.certificates.workloadLifetime: 'forever' is not a duration"
                        + " (expected: a number and a unit ms, s, m, h or d, e.g. 90s, 10m, 1h30m)",
                "config/mesh.yaml:9:5: spec.certificates.rootLifetme: unknown field");
    }

    @Test
    void rejectsABadDocumentWholeAndKeepsTheOthers() {
        var result = load("w.yaml", """
                apiVersion: aimesh.dev/v1alpha1
                kind: Workload
                metadata: {name: good}
                ---
                apiVersion: aimesh.dev/v1alpha1
                kind: Workload
                metadata: {name: Bad_Name}
                spec: {serviceAccount: ok}
                """);
        assertThat(result.resources()).extracting(r -> r.metadata().name()).containsExactly("good");
        assertThat(messages(result)).singleElement().asString()
                .startsWith("w.yaml:7:18: metadata.name: 'Bad_Name' is not a valid name");
    }

    @Test
    void unknownKindsAndMissingFieldsAreErrors() {
        var result = load("x.yaml", """
                apiVersion: example.com/v1
                kind: Gadget
                metadata: {name: g}
                ---
                kind: Workload
                spec: {}
                """);
        assertThat(result.resources()).isEmpty();
        assertThat(messages(result)).hasSize(3);
        assertThat(messages(result).get(0)).startsWith("x.yaml:2:7: kind: unknown kind 'Gadget' in apiVersion"
                + " 'example.com/v1' (known: aimesh.dev/v1alpha1/DataLossPreventionPolicy, aimesh.dev/v1alpha1/Mesh, ").contains("security.istio.io/v1/AuthorizationPolicy");
        assertThat(messages(result).get(1)).isEqualTo("x.yaml:5:1: apiVersion: is required");
        assertThat(messages(result).get(2)).isEqualTo("x.yaml:5:1: metadata: is required");
    }

    @Test
    void syntaxErrorsPointAtTheProblem() {
        var result = load("broken.yaml", """
                apiVersion: aimesh.dev/v1alpha1
                kind: Workload
                metadata: {name: a
                """);
        assertThat(result.resources()).isEmpty();
        assertThat(messages(result)).singleElement().asString().startsWith("broken.yaml:4:1: invalid YAML");
    }

    @Test
    void duplicateKeysAndWrongShapesAreReported() {
        var result = load("d.yaml", """
                apiVersion: aimesh.dev/v1alpha1
                kind: Workload
                metadata: {name: a}
                spec: [1, 2]
                """);
        assertThat(messages(result)).containsExactly("d.yaml:4:7: spec: expected a mapping, found a list");

        var dup = load("dup.yaml", """
                kind: Workload
                kind: Mesh
                """);
        assertThat(messages(dup)).singleElement().asString().isEqualTo("dup.yaml:2:1: invalid YAML: duplicate key 'kind' (first at line 1)");
    }

    @Test
    void assemblyReportsConflicts() {
        var result = load("a.yaml", """
                apiVersion: aimesh.dev/v1alpha1
                kind: Workload
                metadata: {name: a}
                ---
                apiVersion: aimesh.dev/v1alpha1
                kind: Workload
                metadata: {name: a}
                ---
                apiVersion: aimesh.dev/v1alpha1
                kind: Mesh
                metadata: {name: one}
                ---
                apiVersion: aimesh.dev/v1alpha1
                kind: Mesh
                metadata: {name: two}
                """);
        var assembled = MeshConfig.assemble(result.resources());
        assertThat(assembled.problems()).extracting(Diagnostic::toString).containsExactly(
                "a.yaml:5:1: metadata.name: Workload default/a is declared twice (first at a.yaml:1:1)",
                "a.yaml:13:1: kind: a second Mesh resource (the first is at a.yaml:9:1); a mesh has one");
        assertThat(assembled.config().workloads()).hasSize(1);
        assertThat(assembled.config().mesh().metadata().name()).isEqualTo("one");
    }

    @Test
    void decodesHowAWorkloadServesAndCalls() {
        var result = load("w.yaml", """
                apiVersion: aimesh.dev/v1alpha1
                kind: Workload
                metadata: {name: llm, namespace: models}
                spec:
                  inbound: {port: 15006, upstream: "127.0.0.1:8000", protocol: grpc, forwardedPath: raw}
                  outbound: {port: 15001}
                ---
                apiVersion: aimesh.dev/v1alpha1
                kind: Workload
                metadata: {name: demo, namespace: models}
                spec:
                  inbound: {}
                  run: {demoModel: sentiment-v1}
                """);
        assertThat(result.ok()).as(messages(result).toString()).isTrue();
        Workload llm = (Workload) result.resources().get(0);
        assertThat(llm.inbound()).contains(new Workload.Inbound(15006, java.util.Optional.of(new HostPort("127.0.0.1", 8000)),
                Workload.UpstreamProtocol.H2C, Workload.ForwardedPath.RAW));
        assertThat(llm.outbound()).contains(new Workload.Outbound(15001));
        Workload demo = (Workload) result.resources().get(1);
        assertThat(demo.run()).contains(new Workload.Run("sentiment-v1"));
        assertThat(demo.inbound().orElseThrow().port()).isZero();
        assertThat(demo.inbound().orElseThrow().forwardedPath()).as("the default").isEqualTo(Workload.ForwardedPath.NORMALIZED);
    }

    @Test
    void refusesInboundsThatLeadNowhere() {
        var result = load("w.yaml", """
                apiVersion: aimesh.dev/v1alpha1
                kind: Workload
                metadata: {name: llm}
                spec:
                  inbound: {port: 70000, upstream: "localhost", protocol: tcp}
                ---
                apiVersion: aimesh.dev/v1alpha1
                kind: Workload
                metadata: {name: raw}
                spec:
                  inbound: {upstream: "127.0.0.1:8000", forwardedPath: asIs}
                ---
                apiVersion: aimesh.dev/v1alpha1
                kind: Workload
                metadata: {name: lost}
                spec:
                  inbound: {port: 1}
                  run: {}
                """);
        assertThat(messages(result)).containsExactly(
                "w.yaml:5:19: spec.inbound.port: 70000 is out of range (expected: 0 to 65535)",
                "w.yaml:5:36: spec.inbound.upstream: 'localhost' is not host:port (e.g. 127.0.0.1:8000)",
                "w.yaml:5:59: spec.inbound.protocol: 'tcp' is not an upstream protocol (expected: http, h2c or grpc)",
                "w.yaml:11:56: spec.inbound.forwardedPath: 'asIs' is not a forwarded path (expected: normalized, the path"
                        + " policy decided on, or raw, the path as the caller sent it)",
                "w.yaml:18:8: spec.run.demoModel: is required");
    }
}
