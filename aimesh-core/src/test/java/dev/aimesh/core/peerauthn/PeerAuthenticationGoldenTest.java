package dev.aimesh.core.peerauthn;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import dev.aimesh.core.resource.MeshConfig;
import dev.aimesh.core.testing.GoldenCases;

/** PeerAuthentication YAML to effective modes: every {@code .cases} line under {@code peerauthn-golden/} (see its README). */
class PeerAuthenticationGoldenTest {
    @TestFactory
    Stream<DynamicTest> everyCaseGetsItsMode() {
        return GoldenCases.of("/peerauthn-golden", 16, PeerAuthenticationGoldenTest::check);
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
