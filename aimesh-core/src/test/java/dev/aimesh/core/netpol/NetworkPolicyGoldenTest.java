package dev.aimesh.core.netpol;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import dev.aimesh.core.authz.IpBlock;
import dev.aimesh.core.resource.MeshConfig;
import dev.aimesh.core.testing.GoldenCases;

/** NetworkPolicy YAML to decisions: every {@code .cases} line under {@code netpol-golden/} (see its README). */
class NetworkPolicyGoldenTest {
    @TestFactory
    Stream<DynamicTest> everyCaseGetsItsDecision() {
        return GoldenCases.of("/netpol-golden", 30, NetworkPolicyGoldenTest::check);
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
