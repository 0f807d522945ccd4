package dev.aimesh.core.peerauthn;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import dev.aimesh.core.resource.ConfigLoader;
import dev.aimesh.core.resource.MeshConfig;

/** PeerAuthentication YAML to effective modes: every {@code .cases} line under {@code peerauthn-golden/} (see its README). */
class PeerAuthenticationGoldenTest {
    @TestFactory
    Stream<DynamicTest> everyCaseGetsItsMode() throws IOException, URISyntaxException {
        Path dir = Paths.get(PeerAuthenticationGoldenTest.class.getResource("/peerauthn-golden").toURI());
        List<DynamicTest> tests = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path cases : files.filter(p -> p.toString().endsWith(".cases")).sorted().toList()) {
                String base = cases.getFileName().toString().replace(".cases", "");
                MeshConfig config = load(dir.resolve(base + ".yaml"));
                int lineNo = 0;
                for (String line : Files.readAllLines(cases)) {
                    lineNo++;
                    if (!line.isBlank() && !line.startsWith("#")) {
                        tests.add(DynamicTest.dynamicTest(base + ".cases:" + lineNo + ": " + line, () -> check(config, line)));
                    }
                }
            }
        }
        assertThat(tests).hasSizeGreaterThan(15);
        return tests.stream();
    }

    static MeshConfig load(Path yaml) {
        try {
            var loaded = ConfigLoader.load(List.of(new ConfigLoader.SourceFile(yaml.getFileName().toString(), Files.readString(yaml))));
            assertThat(loaded.diagnostics()).as("diagnostics of " + yaml).isEmpty();
            MeshConfig.Assembled assembled = MeshConfig.assemble(loaded.resources());
            assertThat(assembled.problems()).isEmpty();
            return assembled.config();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void check(MeshConfig config, String line) {
        String[] parts = line.split("\\s+=>\\s+", 2);
        String[] words = parts[0].trim().split("\\s+");
        EffectiveMtls effective = PeerAuthentications.modeFor(config, words[1], labels(words[2]), Integer.parseInt(words[3]));
        String actual = effective.mode() + " => " + effective.scope().name().toLowerCase(Locale.ROOT)
                + effective.policy().map(p -> " " + p).orElse("");
        assertThat(actual).as(effective.reason()).isEqualTo(words[0] + " => " + parts[1].trim());
    }

    static Map<String, String> labels(String text) {
        Map<String, String> labels = new HashMap<>();
        if (!text.equals("-")) {
            for (String pair : text.split(",")) {
                labels.put(pair.substring(0, pair.indexOf('=')), pair.substring(pair.indexOf('=') + 1));
            }
        }
        return labels;
    }
}
