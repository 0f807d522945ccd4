package dev.aimesh.core.authz;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import dev.aimesh.core.ai.ModelCall;
import dev.aimesh.core.http.RequestPath;
import dev.aimesh.core.identity.SpiffeId;
import dev.aimesh.core.resource.MeshConfig;
import dev.aimesh.core.testing.GoldenCases;
import dev.aimesh.core.resource.Workload;

/** Policy YAML to decisions: every {@code .cases} line under {@code authz-golden/} (see its README). */
class AuthzGoldenTest {
    @TestFactory
    Stream<DynamicTest> everyCaseGetsItsDecision() {
        return GoldenCases.of("/authz-golden", 21, AuthzGoldenTest::check);
    }

    private static void check(MeshConfig config, String line) {
        String[] parts = line.split("\\s+=>\\s+", 2);
        String[] words = parts[0].trim().split("\\s+");
        boolean expectAllow = switch (words[0]) {
            case "allow" -> true;
            case "deny" -> false;
            default -> throw new IllegalArgumentException("a case starts with allow or deny: " + line);
        };
        Workload workload = config.workload(words[1]).orElseThrow(() -> new IllegalArgumentException("no workload " + words[1]));
        String method = words[2];
        String target = words[3];
        Map<String, String> attributes = new HashMap<>();
        for (int i = 4; i < words.length; i++) {
            int eq = words[i].indexOf('=');
            attributes.put(words[i].substring(0, eq), words[i].substring(eq + 1));
        }
        String path = switch (RequestPath.normalize(target)) {
            case RequestPath.Result.Normalized n -> n.path();
            case RequestPath.Result.Refused r -> throw new AssertionError("refused path " + target + ": " + r.reason());
        };
        AuthzRequest request = request(method, path, attributes);
        AuthzDecision decision = Authorizer.forWorkload(config, workload.namespace(), workload.name(), workload.metadata().labels())
                .decide(request);
        assertThat(decision.allowed()).as(decision.reason()).isEqualTo(expectAllow);
        if (parts.length == 2) {
            String expected = parts[1].trim();
            String actual = decision.policy().map(p -> p + "#" + decision.rule()).orElse("default");
            assertThat(actual).as(decision.reason()).isEqualTo(expected);
        }
    }

    private static AuthzRequest request(String method, String path, Map<String, String> a) {
        String from = a.getOrDefault("from", "-");
        Map<String, String> headers = new HashMap<>();
        Map<String, Object> claims = new HashMap<>();
        a.forEach((k, v) -> {
            if (k.startsWith("header.")) {
                headers.put(k.substring("header.".length()), v);
            }
            if (k.startsWith("claim.")) {
                claims.put(k.substring("claim.".length()), v.contains(",") ? List.of(v.split(",")) : v);
            }
        });
        Optional<AuthzRequest.Token> token = a.containsKey("sub") ? Optional.of(new AuthzRequest.Token(
                a.getOrDefault("iss", "https://issuer.example"), a.get("sub"),
                a.containsKey("aud") ? List.of(a.get("aud").split(",")) : List.of(), "", claims)) : Optional.empty();
        byte[] ip = IpBlock.literal(a.getOrDefault("ip", "10.0.0.1")).orElseThrow();
        return AuthzRequest.builder(method, path)
                .peer(from.equals("-") ? Optional.empty() : Optional.of(SpiffeId.parse("spiffe://" + from)))
                .sourceIp(ip)
                .remoteIp(a.containsKey("remote") ? IpBlock.literal(a.get("remote")).orElseThrow() : ip)
                .destinationPort(Integer.parseInt(a.getOrDefault("port", "8000")))
                .host(a.getOrDefault("host", "llm.models"))
                .headers(headers::get)
                .token(token)
                .model(ModelCall.of(method, path).withBodyModel(Optional.ofNullable(a.get("model"))))
                .time(Instant.parse(a.getOrDefault("at", "2026-12-02T12:00:00Z")))
                .build();
    }
}
