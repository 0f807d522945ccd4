package dev.aimesh.identity.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import dev.aimesh.identity.jwt.JwtDecision;
import dev.aimesh.identity.jwt.JwtRule;
import dev.aimesh.identity.jwt.JwtValidator;
import dev.aimesh.identity.jwt.SignatureCheck;

/**
 * Runs Wycheproof's JOSE vectors (from {@code ../shared/testdata/wycheproof}) against the signature stage
 * of the JWT validator ({@link SignatureCheck}): their payloads are bytes such as "foo", not claim sets,
 * so the whole validator would refuse them all for that reason alone, which would prove nothing.
 *
 * <p>Each case is checked with the group's public key (or key set); a group with only a private key is a
 * symmetric one, and its key is given as is, so HMAC refusal is shown even with the secret in the JWKS.
 * Every invalid case must be refused. A valid HMAC case is "not applicable" (HMAC is refused by design),
 * never a pass; JWE cases are not applicable (and must be refused all the same); every other valid case must be accepted, except the few
 * listed in {@link #VALID_REFUSED_BY_DESIGN} with why.
 */
class WycheproofJoseTest {
    private static final Map<String, String> VALID_REFUSED_BY_DESIGN = Map.of(
            "json_web_signature_test.json#347", "key alg ES521 is not a JOSE algorithm; the key is not fit for ES512",
            "json_web_signature_test.json#351", "key alg ES521 is not a JOSE algorithm; the key is not fit for ES512",
            // The group's key says alg PS256, the token is PS384: the same pin refuses the WrongPrimitive cases.
            "json_web_signature_test.json#346", "the key is pinned to PS256 by its alg; the token is PS384",
            "json_web_signature_test.json#350", "the key is pinned to PS256 by its alg; the token is PS384");

    private static Path suite;

    @BeforeAll
    static void findSuite() {
        Optional<Path> found = TestData.find("wycheproof");
        String missing = "Wycheproof JOSE vectors not found at " + Path.of(System.getProperty("aimesh.testdata",
                "../shared/testdata"), "wycheproof").toAbsolutePath() + " (they live in ../shared/testdata beside the checkout);"
                + " skipping the conformance run";
        if (found.isEmpty()) {
            System.out.println(missing);
        }
        assumeTrue(found.isPresent(), missing);
        suite = found.get();
    }

    enum Outcome { VALID_ACCEPTED, VALID_REFUSED_BY_DESIGN, INVALID_REFUSED, ACCEPTABLE_ACCEPTED, ACCEPTABLE_REFUSED,
        NOT_APPLICABLE_HMAC, NOT_APPLICABLE_JWE, WRONG }

    record CaseResult(String id, Outcome outcome, String detail) {}

    @ParameterizedTest
    @ValueSource(strings = {"json_web_signature_test.json", "json_web_crypto_test.json", "json_web_key_test.json"})
    void everyInvalidCaseIsRefusedAndEveryApplicableValidCaseAccepted(String file) throws Exception {
        JsonNode root = new ObjectMapper().readTree(suite.resolve(file).toFile());
        List<CaseResult> results = new ArrayList<>();
        for (JsonNode group : root.get("testGroups")) {
            for (JsonNode test : group.get("tests")) {
                results.add(run(file, group, test));
            }
        }
        Map<Outcome, Integer> counts = new TreeMap<>();
        results.forEach(r -> counts.merge(r.outcome(), 1, Integer::sum));
        System.out.printf("wycheproof %s: %d valid accepted, %d invalid refused, %d acceptable (%d accepted, %d refused),"
                        + " %d not applicable (%d HMAC not accepted by design, %d JWE), %d valid refused by design, %d wrong%n",
                file, n(counts, Outcome.VALID_ACCEPTED), n(counts, Outcome.INVALID_REFUSED),
                n(counts, Outcome.ACCEPTABLE_ACCEPTED) + n(counts, Outcome.ACCEPTABLE_REFUSED),
                n(counts, Outcome.ACCEPTABLE_ACCEPTED), n(counts, Outcome.ACCEPTABLE_REFUSED),
                n(counts, Outcome.NOT_APPLICABLE_HMAC) + n(counts, Outcome.NOT_APPLICABLE_JWE),
                n(counts, Outcome.NOT_APPLICABLE_HMAC), n(counts, Outcome.NOT_APPLICABLE_JWE),
                n(counts, Outcome.VALID_REFUSED_BY_DESIGN), n(counts, Outcome.WRONG));

        results.stream().filter(r -> r.outcome() == Outcome.WRONG || r.outcome() == Outcome.VALID_REFUSED_BY_DESIGN)
                .forEach(r -> System.out.println("  " + r.outcome() + " " + r.id() + ": " + r.detail()));
        if (Boolean.getBoolean("wycheproof.verbose")) {
            results.forEach(r -> System.out.println("  " + r.outcome() + " " + r.id() + ": " + r.detail()));
        }
        assertThat(results).filteredOn(r -> r.outcome() == Outcome.WRONG).isEmpty();
        assertThat(results).as("cases run").hasSize(root.get("numberOfTests").asInt());
        assertThat(n(counts, Outcome.INVALID_REFUSED)).isPositive();
    }

    private static int n(Map<Outcome, Integer> counts, Outcome outcome) {
        return counts.getOrDefault(outcome, 0);
    }

    private static CaseResult run(String file, JsonNode group, JsonNode test) throws Exception {
        String id = file + "#" + test.get("tcId").asInt();
        String expected = test.get("result").asText();
        JsonNode jws = test.has("jwe") ? test.get("jwe") : test.get("jws");
        String token = jws.isTextual() ? jws.asText() : jws.toString(); // JSON serialization stays JSON
        JWKSet keys;
        try {
            keys = keySet(group);
        } catch (ParseException | RuntimeException e) {
            // Nimbus refuses some keys outright (a point off its curve, EC members under kty RSA).
            String detail = "the key set does not parse: " + e.getMessage();
            Outcome outcome = test.has("jwe") ? Outcome.NOT_APPLICABLE_JWE
                    : expected.equals("invalid") ? Outcome.INVALID_REFUSED : Outcome.WRONG;
            return new CaseResult(id, outcome, detail);
        }
        SignatureCheck.Result result = SignatureCheck.check(token, keys);
        boolean accepted = result instanceof SignatureCheck.Verified;
        String detail = result instanceof SignatureCheck.Refused refused ? refused.reason() : "accepted";
        // The whole validator refuses every vector (no claim set) and, above all, never throws on them.
        assertThat(new JwtValidator(List.of(JwtRule.of("wycheproof", List.of(), keys)), InstantSource.fixed(
                Instant.EPOCH)).validate(token)).as(id + " (whole validator)").isInstanceOf(JwtDecision.Invalid.class);
        if (test.has("jwe")) {
            // Not applicable (no encrypted tokens by design), but one must still never be accepted.
            return new CaseResult(id, accepted ? Outcome.WRONG : Outcome.NOT_APPLICABLE_JWE, detail);
        }
        return switch (expected) {
            case "invalid" -> new CaseResult(id, accepted ? Outcome.WRONG : Outcome.INVALID_REFUSED, detail);
            case "acceptable" -> new CaseResult(id, accepted ? Outcome.ACCEPTABLE_ACCEPTED : Outcome.ACCEPTABLE_REFUSED, detail);
            case "valid" -> {
                if (isHmac(group, token)) {
                    yield new CaseResult(id, accepted ? Outcome.WRONG : Outcome.NOT_APPLICABLE_HMAC, detail);
                }
                if (accepted) {
                    yield new CaseResult(id, Outcome.VALID_ACCEPTED, detail);
                }
                yield new CaseResult(id, VALID_REFUSED_BY_DESIGN.containsKey(id) ? Outcome.VALID_REFUSED_BY_DESIGN
                        : Outcome.WRONG, "valid case refused: " + detail);
            }
            default -> throw new IllegalStateException(id + ": result " + expected);
        };
    }

    /** The group's public key or key set; a group with only a private key gives it (a symmetric key) as is. */
    private static JWKSet keySet(JsonNode group) throws ParseException {
        JsonNode key = group.has("public") ? group.get("public") : group.get("private");
        return key.has("keys") ? JWKSet.parse(key.toString()) : new JWKSet(JWK.parse(key.toString()));
    }

    /** By the group's key (a group without a public key is a symmetric one) or by the token's alg. */
    private static boolean isHmac(JsonNode group, String token) {
        if (!group.has("public")) {
            return true;
        }
        try {
            // Leniently decoded: some HMAC cases have characters inserted in the header on purpose.
            String part = token.substring(0, token.indexOf('.')).replaceAll("[^A-Za-z0-9_-]", "");
            String header = new String(Base64.getUrlDecoder().decode(part), StandardCharsets.UTF_8);
            return new ObjectMapper().readTree(header).path("alg").asText().startsWith("HS");
        } catch (Exception e) {
            return false;
        }
    }
}
