package dev.aimesh.core.resource;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzzing of the YAML resource decoders: whatever text a config file holds, loading and
 * assembling it returns resources and diagnostics (each naming the file), never an exception. Seeds in
 * {@code ConfigLoaderFuzzTestInputs/} are real resources of every kind, so the mutations reach the decoders.
 */
class ConfigLoaderFuzzTest {
    @FuzzTest(maxDuration = "15s")
    void anyConfigFileGetsDiagnosticsNeverAnException(byte[] file) {
        String text = new String(file, StandardCharsets.UTF_8);
        ConfigLoader.LoadResult loaded = ConfigLoader.load(List.of(new ConfigLoader.SourceFile("fuzz.yaml", text)));
        assertThat(loaded.diagnostics()).allSatisfy(d -> assertThat(d.position().file()).isEqualTo("fuzz.yaml"));
        MeshConfig.Assembled assembled = ConfigLoader.assemble(loaded);
        assertThat(assembled.problems()).isNotNull();
    }
}
