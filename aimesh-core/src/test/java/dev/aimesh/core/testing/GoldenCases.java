package dev.aimesh.core.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import dev.aimesh.core.resource.ConfigLoader;
import dev.aimesh.core.resource.MeshConfig;

/**
 * Golden tests of a resources folder: for every {@code NAME.cases} the config of {@code NAME.yaml} (which
 * must load without a problem), and one test per line that is neither blank nor a {@code #} comment.
 */
public final class GoldenCases {
    private GoldenCases() {}

    public static Stream<DynamicTest> of(String folder, int atLeast, BiConsumer<MeshConfig, String> check) {
        List<DynamicTest> tests = new ArrayList<>();
        try (Stream<Path> files = Files.list(Paths.get(GoldenCases.class.getResource(folder).toURI()))) {
            for (Path cases : files.filter(p -> p.toString().endsWith(".cases")).sorted().toList()) {
                String base = cases.getFileName().toString().replace(".cases", "");
                MeshConfig config = load(cases.resolveSibling(base + ".yaml"));
                int lineNo = 0;
                for (String line : Files.readAllLines(cases)) {
                    lineNo++;
                    if (!line.isBlank() && !line.startsWith("#")) {
                        tests.add(DynamicTest.dynamicTest(base + ".cases:" + lineNo + ": " + line, () -> check.accept(config, line)));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        assertThat(tests).as("cases in " + folder).hasSizeGreaterThanOrEqualTo(atLeast);
        return tests.stream();
    }

    public static MeshConfig load(Path yaml) {
        try {
            MeshConfig.Assembled assembled = ConfigLoader.assemble(List.of(new ConfigLoader.SourceFile(
                    yaml.getFileName().toString(), Files.readString(yaml))));
            assertThat(assembled.problems()).as("problems of " + yaml).isEmpty();
            return assembled.config();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
