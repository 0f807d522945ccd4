package dev.aimesh.controlplane.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigDirectoryTest {
    @TempDir
    Path dir;

    @Test
    void readsYamlRecursivelySkipsHiddenAndNamesFilesRelatively() throws Exception {
        Files.createDirectories(dir.resolve("team/models"));
        Files.createDirectories(dir.resolve(".aimesh"));
        Files.writeString(dir.resolve("team/models/llm.yml"), """
                apiVersion: aimesh.dev/v1alpha1
                kind: Workload
                metadata: {name: llm, namespace: models}
                """);
        Files.writeString(dir.resolve(".aimesh/state.yaml"), "not: [valid");
        Files.writeString(dir.resolve("notes.txt"), "ignored");
        Files.write(dir.resolve("latin1.yaml"), new byte[] {'k', ':', ' ', (byte) 0xE9});

        ConfigDirectory.Reading reading = new ConfigDirectory(dir).read();
        assertThat(reading.config().workloads()).extracting(w -> w.name()).containsExactly("llm");
        assertThat(reading.problems()).extracting(Object::toString).containsExactly("latin1.yaml: file is not UTF-8 text");
    }

    @Test
    void theFingerprintChangesWithContentOnly() throws Exception {
        Files.writeString(dir.resolve("a.yaml"), "");
        String first = new ConfigDirectory(dir).read().fingerprint();
        assertThat(new ConfigDirectory(dir).read().fingerprint()).isEqualTo(first);
        Files.writeString(dir.resolve("a.yaml"), "# changed\n");
        assertThat(new ConfigDirectory(dir).read().fingerprint()).isNotEqualTo(first);
    }
}
