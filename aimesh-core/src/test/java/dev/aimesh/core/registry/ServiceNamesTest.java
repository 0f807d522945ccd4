package dev.aimesh.core.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import dev.aimesh.core.identity.SpiffeId;

class ServiceNamesTest {
    private static final ConfigSnapshot SNAPSHOT = new ConfigSnapshot("1", List.of(
            entry("models", "llm"), entry("models", "embedder"), entry("staging", "embedder"), entry("apps", "chat")));

    private static WorkloadEntry entry(String ns, String name) {
        return new WorkloadEntry(ns, name, SpiffeId.parse("spiffe://td/ns/" + ns + "/sa/" + name), Map.of(), List.of());
    }

    @ParameterizedTest
    @CsvSource({"llm,models/llm", "LLM:8080,models/llm", "llm.models,models/llm", "llm.models.svc,models/llm",
            "llm.models.svc.cluster.local,models/llm", "llm.models.svc.cluster.local.,models/llm",
            "embedder.staging:80,staging/embedder", "embedder,", "nope,", "llm.apps,", "llm.models.example.com,",
            "127.0.0.1:8080,", "[::1]:80,"})
    void resolvesKubernetesStyleNames(String host, String expected) {
        assertThat(ServiceNames.resolve(SNAPSHOT, host).map(WorkloadEntry::ref).orElse(null)).isEqualTo(expected);
    }
}
