package dev.aimesh.core.resource;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import dev.aimesh.core.resource.ConfigLoader.SourceFile;

class IncrementalConfigLoaderTest {
    private static final SourceFile WORKLOADS = new SourceFile("workloads.yaml", """
            apiVersion: aimesh.dev/v1alpha1
            kind: Workload
            metadata: {name: llm, namespace: models}
            """);

    private static SourceFile policy(String method) {
        return new SourceFile("policy.yaml", """
                apiVersion: security.istio.io/v1
                kind: AuthorizationPolicy
                metadata: {name: callers, namespace: models}
                spec:
                  rules:
                  - to: [{operation: {methods: ["%s"]}}]
                """.formatted(method));
    }

    @Test
    void assemblesWhatAFullDecodeAssemblesAcrossChanges() {
        IncrementalConfigLoader loader = new IncrementalConfigLoader();
        for (List<SourceFile> files : List.of(List.of(WORKLOADS, policy("POST")), List.of(WORKLOADS, policy("GET")),
                List.of(WORKLOADS, policy("GTE")), List.of(WORKLOADS), List.of(WORKLOADS, policy("POST")))) {
            MeshConfig.Assembled incremental = loader.assemble(files);
            MeshConfig.Assembled full = ConfigLoader.assemble(files);
            assertThat(incremental.problems()).isEqualTo(full.problems());
            assertThat(incremental.config().workloads()).isEqualTo(full.config().workloads());
            assertThat(incremental.config().authorizationPolicies()).isEqualTo(full.config().authorizationPolicies());
        }
    }

    @Test
    void anUnchangedFileIsNotDecodedAgain() {
        IncrementalConfigLoader loader = new IncrementalConfigLoader();
        var first = loader.assemble(List.of(WORKLOADS, policy("POST")));
        var second = loader.assemble(List.of(new SourceFile(WORKLOADS.name(), new String(WORKLOADS.text())), policy("GET")));

        assertThat(second.config().workloads().get(0)).isSameAs(first.config().workloads().get(0));
        assertThat(second.config().authorizationPolicies().get(0))
                .isNotSameAs(first.config().authorizationPolicies().get(0));
    }
}
