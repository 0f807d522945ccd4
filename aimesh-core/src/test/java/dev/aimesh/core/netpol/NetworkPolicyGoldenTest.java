package dev.aimesh.core.netpol;

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
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import dev.aimesh.core.authz.IpBlock;
import dev.aimesh.core.resource.ConfigLoader;
import dev.aimesh.core.resource.MeshConfig;

/** NetworkPolicy YAML to decisions: every {@code .cases} line under {@code netpol-golden/} (see its README). */
class NetworkPolicyGoldenTest {
    @TestFactory
    Stream<DynamicTest> everyCaseGetsItsDecision() throws IOException, URISyntaxException {
        Path dir = Paths.get(NetworkPolicyGoldenTest.class.getResource("/netpol-golden").toURI());
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
        assertThat(tests).hasSizeGreaterThan(30);
        return tests.stream();
    }

    private static MeshConfig load(Path yaml) {
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
        boolean expectAllow = switch (words[0]) {
            case "allow" -> true;
            case "deny" -> false;
            default -> throw new IllegalArgumentException("a case starts with allow or deny: " + line);
        };
        Peer workload = peer(words[2]);
        Peer other = peer(words[3]);
        int port = Integer.parseInt(words[4]);
        NetworkPolicyDecision decision = switch (words[1]) {
            case "in" -> NetworkPolicies.ingressAllowed(config, workload, other, port);
            case "out" -> NetworkPolicies.egressAllowed(config, workload, other, port);
            default -> throw new IllegalArgumentException("a direction is in or out: " + line);
        };
        assertThat(decision.allowed()).as(decision.reason()).isEqualTo(expectAllow);
        String actual = switch (decision.verdict()) {
            case NOT_SELECTED -> "not-selected";
            case ALLOWED -> decision.policy().orElseThrow() + "#" + decision.rule();
            case NO_POLICY_ALLOWS -> "none";
        };
        assertThat(actual).as(decision.reason()).isEqualTo(parts[1].trim());
    }

    /** {@code ns/k=v,k=v@ip}, {@code ns/-}, or {@code @ip}. */
    private static Peer peer(String text) {
        int at = text.indexOf('@');
        Optional<byte[]> ip = at < 0 ? Optional.empty() : Optional.of(IpBlock.literal(text.substring(at + 1)).orElseThrow());
        String workload = at < 0 ? text : text.substring(0, at);
        if (workload.isEmpty()) {
            return new Peer(Optional.empty(), Map.of(), ip);
        }
        int slash = workload.indexOf('/');
        Map<String, String> labels = new HashMap<>();
        String pairs = workload.substring(slash + 1);
        if (!pairs.equals("-")) {
            for (String pair : pairs.split(",")) {
                labels.put(pair.substring(0, pair.indexOf('=')), pair.substring(pair.indexOf('=') + 1));
            }
        }
        return new Peer(Optional.of(workload.substring(0, slash)), labels, ip);
    }
}
