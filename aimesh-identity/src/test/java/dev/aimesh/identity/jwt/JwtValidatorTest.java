package dev.aimesh.identity.jwt;

import static dev.aimesh.identity.jwt.TestTokens.EC_P256;
import static dev.aimesh.identity.jwt.TestTokens.EC_P384;
import static dev.aimesh.identity.jwt.TestTokens.RSA_2048;
import static dev.aimesh.identity.jwt.TestTokens.header;
import static dev.aimesh.identity.jwt.TestTokens.sign;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.PlainObject;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64;
import org.junit.jupiter.api.Test;
import dev.aimesh.identity.TestClock;

class JwtValidatorTest {
    private static final String ISSUER = "https://issuer.example";
    private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
    private final TestClock clock = new TestClock(NOW);

    private JwtValidator validator(List<String> audiences, JWK... keys) {
        List<JWK> publicKeys = Arrays.stream(keys).map(JWK::toPublicJWK).toList();
        return new JwtValidator(List.of(JwtRule.of(ISSUER, audiences, new JWKSet(publicKeys))), clock);
    }

    private static Map<String, Object> claims() {
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", ISSUER);
        claims.put("sub", "alice");
        claims.put("aud", "model-api");
        claims.put("azp", "web-app");
        claims.put("exp", NOW.plusSeconds(300).getEpochSecond());
        claims.put("nbf", NOW.minusSeconds(10).getEpochSecond());
        claims.put("scope", "read");
        return claims;
    }

    private static Map<String, Object> claimsWith(String name, Object value) {
        Map<String, Object> claims = claims();
        if (value == null) {
            claims.remove(name);
        } else {
            claims.put(name, value);
        }
        return claims;
    }

    private static String es256(Map<String, Object> claims) {
        return sign(header(JWSAlgorithm.ES256, "ec-1").build(), claims, EC_P256);
    }

    private String reason(JwtValidator validator, String token) {
        JwtDecision decision = validator.validate(token);
        assertThat(decision).isInstanceOf(JwtDecision.Invalid.class);
        return ((JwtDecision.Invalid) decision).reason();
    }

    @Test
    void acceptsEs256AndReportsTheIdentity() {
        JwtDecision decision = validator(List.of("model-api"), EC_P256).validate(es256(claims()));

        assertThat(decision).isInstanceOf(JwtDecision.Valid.class);
        JwtDecision.Valid valid = (JwtDecision.Valid) decision;
        assertThat(valid.issuer()).isEqualTo(ISSUER);
        assertThat(valid.subject()).contains("alice");
        assertThat(valid.audiences()).containsExactly("model-api");
        assertThat(valid.presenter()).contains("web-app");
        assertThat(valid.claims()).containsEntry("scope", "read").containsKey("exp");
    }

    @Test
    void acceptsRs256() {
        String token = sign(header(JWSAlgorithm.RS256, "rsa-1").build(), claims(), RSA_2048);

        assertThat(validator(List.of(), RSA_2048, EC_P256).validate(token)).isInstanceOf(JwtDecision.Valid.class);
    }

    @Test
    void acceptsPs512AndEdDsa() {
        String ps512 = sign(header(JWSAlgorithm.PS512, "rsa-1").build(), claims(), RSA_2048);
        String eddsa = TestTokens.signEd25519("{\"alg\":\"EdDSA\",\"kid\":\"ed-1\"}", claims());
        JwtValidator validator = validator(List.of(), RSA_2048, TestTokens.ED25519_JWK);

        assertThat(validator.validate(ps512)).isInstanceOf(JwtDecision.Valid.class);
        assertThat(validator.validate(eddsa)).isInstanceOf(JwtDecision.Valid.class);
    }

    @Test
    void acceptsAKeyChosenWithoutKidAmongSeveral() {
        String token = sign(new JWSHeader.Builder(JWSAlgorithm.RS256).build(), claims(), RSA_2048);

        assertThat(validator(List.of(), TestTokens.rsaKey(2048, "other"), RSA_2048).validate(token))
                .isInstanceOf(JwtDecision.Valid.class);
    }

    @Test
    void refusesAlgNone() {
        String token = new PlainObject(new Payload(claims())).serialize() + "c2ln";

        assertThat(reason(validator(List.of(), EC_P256), token)).isEqualTo("alg none is not accepted");
    }

    @Test
    void refusesHmacSignedWithThePublicKey() throws Exception {
        // The key-confusion attack: the "secret" is the issuer's public key, which anyone has.
        byte[] publicKey = RSA_2048.toRSAPublicKey().getEncoded();
        JWSObject jws = new JWSObject(header(JWSAlgorithm.HS256, "rsa-1").build(), new Payload(claims()));
        jws.sign(new MACSigner(publicKey));

        assertThat(reason(validator(List.of(), RSA_2048), jws.serialize())).startsWith("alg HS256 is not accepted");
    }

    @Test
    void refusesATamperedSignatureOrPayload() {
        String token = es256(claims());
        String[] parts = token.split("\\.");
        String otherPayload = TestTokens.b64("{\"iss\":\"https://issuer.example\",\"sub\":\"mallory\"}"
                .getBytes(StandardCharsets.UTF_8));
        JwtValidator validator = validator(List.of(), EC_P256);

        assertThat(reason(validator, parts[0] + "." + otherPayload + "." + parts[2])).isEqualTo("signature does not verify");
        assertThat(reason(validator, es256(claims()).replaceFirst("\\.[^.]*$", "." + parts[2].substring(4) + "AAAA")))
                .isEqualTo("signature does not verify");
    }

    @Test
    void refusesAKidNotInTheJwks() {
        String token = sign(header(JWSAlgorithm.ES256, "ec-2").build(), claims(), EC_P256);

        assertThat(reason(validator(List.of(), EC_P256), token)).isEqualTo("key id ec-2 not in the JWKS");
    }

    @Test
    void refusesAKeyOfAnotherTypeOrCurve() {
        String es384 = sign(header(JWSAlgorithm.ES384, "ec-1").build(), claims(), EC_P384);
        String rs256 = sign(header(JWSAlgorithm.RS256, "ec-1").build(), claims(), RSA_2048);

        assertThat(reason(validator(List.of(), EC_P256), es384)).isEqualTo("key ec-1 is not on curve P-384 as ES384 requires");
        assertThat(reason(validator(List.of(), EC_P256), rs256)).isEqualTo("key ec-1 is an EC key, not fit for RS256");
    }

    @Test
    void refusesAKeyPinnedToAnotherAlgorithmOrUse() {
        RSAKey pinned = new RSAKey.Builder(RSA_2048.toPublicJWK()).algorithm(JWSAlgorithm.PS256).build();
        RSAKey forEncryption = new RSAKey.Builder(RSA_2048.toPublicJWK()).keyUse(KeyUse.ENCRYPTION).build();
        String token = sign(header(JWSAlgorithm.RS256, "rsa-1").build(), claims(), RSA_2048);

        assertThat(reason(validator(List.of(), pinned), token)).isEqualTo("key rsa-1 is for PS256, not RS256");
        assertThat(reason(validator(List.of(), forEncryption), token)).isEqualTo("key rsa-1 is for use enc, not sig");
    }

    @Test
    void refusesAWeakRsaKey() {
        RSAKey small = TestTokens.rsaKey(1024, "rsa-small");
        String token = sign(header(JWSAlgorithm.RS256, "rsa-small").build(), claims(), small);

        assertThat(reason(validator(List.of(), small), token)).isEqualTo("key rsa-small has 1024 bits (expected: >= 2048)");
    }

    @Test
    void refusesUnknownCriticalHeaders() {
        JWSHeader header = header(JWSAlgorithm.ES256, "ec-1").customParam("urn:example:policy", "x")
                .criticalParams(Set.of("urn:example:policy")).build();

        assertThat(reason(validator(List.of(), EC_P256), sign(header, claims(), EC_P256)))
                .isEqualTo("crit header [urn:example:policy] is not understood");
    }

    @Test
    void refusesKeysCarriedInTheToken() {
        JwtValidator validator = validator(List.of(), EC_P256);
        List<JWSHeader> headers = List.of(
                header(JWSAlgorithm.ES256, "ec-1").jwk(EC_P256.toPublicJWK()).build(),
                header(JWSAlgorithm.ES256, "ec-1").jwkURL(URI.create("https://attacker.example/jwks")).build(),
                header(JWSAlgorithm.ES256, "ec-1").x509CertURL(URI.create("https://attacker.example/cert")).build(),
                header(JWSAlgorithm.ES256, "ec-1").x509CertChain(List.of(Base64.encode("not a cert"))).build());

        assertThat(headers).map(h -> reason(validator, sign(h, claims(), EC_P256))).containsExactly(
                "token carries a jwk header; keys come only from the issuer's JWKS",
                "token carries a jku header; keys come only from the issuer's JWKS",
                "token carries a x5u header; keys come only from the issuer's JWKS",
                "token carries a x5c header; keys come only from the issuer's JWKS");
    }

    @Test
    void refusesAMissingOrUnknownIssuer() {
        JwtValidator validator = validator(List.of(), EC_P256);

        assertThat(reason(validator, es256(claimsWith("iss", null)))).isEqualTo("token has no iss");
        assertThat(reason(validator, es256(claimsWith("iss", "https://other.example"))))
                .isEqualTo("issuer https://other.example has no rule");
    }

    @Test
    void refusesAnExpiredTokenBeyondTheSkew() {
        String token = es256(claimsWith("exp", NOW.minusSeconds(30).getEpochSecond()));
        JwtValidator validator = validator(List.of(), EC_P256);

        assertThat(validator.validate(token)).isInstanceOf(JwtDecision.Valid.class);
        clock.advance(Duration.ofSeconds(31));
        assertThat(reason(validator, token)).isEqualTo("expired at " + NOW.minusSeconds(30));
    }

    @Test
    void refusesATokenNotYetValid() {
        String token = es256(claimsWith("nbf", NOW.plusSeconds(120).getEpochSecond()));

        assertThat(reason(validator(List.of(), EC_P256), token)).isEqualTo("not valid before " + NOW.plusSeconds(120));
    }

    @Test
    void checksTheAudienceOnlyWhenTheRuleHasAudiences() {
        String other = es256(claimsWith("aud", "billing"));
        String several = es256(claimsWith("aud", List.of("billing", "model-api")));
        String none = es256(claimsWith("aud", null));

        assertThat(reason(validator(List.of("model-api"), EC_P256), other)).isEqualTo("audience billing is not accepted");
        assertThat(reason(validator(List.of("model-api"), EC_P256), none))
                .isEqualTo("token has no aud; accepted audiences are [model-api]");
        assertThat(validator(List.of("model-api"), EC_P256).validate(several)).isInstanceOf(JwtDecision.Valid.class);
        assertThat(validator(List.of(), EC_P256).validate(other)).isInstanceOf(JwtDecision.Valid.class);
    }

    @Test
    void refusesMalformedInputWithoutThrowing() {
        JwtValidator validator = validator(List.of(), EC_P256);
        String jwe = "eyJhbGciOiJBMjU2S1ciLCJlbmMiOiJBMjU2R0NNIn0.a.b.c.d";

        assertThat(reason(validator, null)).isEqualTo("token is empty");
        assertThat(reason(validator, "abc")).isEqualTo("token has 1 parts (expected: 3, header.payload.signature)");
        assertThat(reason(validator, jwe)).isEqualTo("token is encrypted (JWE); only signed JWTs are accepted");
        assertThat(reason(validator, "{\"payload\":\"e30\"}")).contains("JSON serialization");
        assertThat(reason(validator, "e30.e30.c2ln")).isEqualTo("header has no alg");
        assertThat(reason(validator, "e30 .e30.c2ln")).isEqualTo("header is not base64url");
        assertThat(reason(validator, TestTokens.raw("{\"alg\":\"ES256\"}", "[1]", new byte[64])))
                .isEqualTo("payload is not a JWT claims set");
        assertThat(reason(validator, TestTokens.raw("{\"alg\":\"ES256\"}", "{\"iss\":\"" + ISSUER + "\",\"exp\":\"soon\"}",
                new byte[64]))).isEqualTo("signature does not verify");
    }

    @Test
    void asksTheKeySourceForEachToken() {
        // What a JWKS cache does on rotation: the next token is checked with the keys it holds then.
        AtomicReference<JWKSet> current = new AtomicReference<>();
        JwtValidator validator = new JwtValidator(List.of(new JwtRule(ISSUER, List.of(), current::get)), clock);
        String token = es256(claims());

        assertThat(reason(validator, token)).isEqualTo("issuer " + ISSUER + " has no keys yet");
        current.set(new JWKSet(RSA_2048.toPublicJWK()));
        assertThat(reason(validator, token)).isEqualTo("key id ec-1 not in the JWKS");
        current.set(new JWKSet(EC_P256.toPublicJWK()));
        assertThat(validator.validate(token)).isInstanceOf(JwtDecision.Valid.class);
    }

    @Test
    void refusesDuplicateIssuersAndNegativeSkew() {
        JwtRule rule = JwtRule.of(ISSUER, List.of(), new JWKSet());

        assertThatThrownBy(() -> new JwtValidator(List.of(rule, rule), clock)).hasMessageContaining("appears twice");
        assertThatThrownBy(() -> new JwtValidator(List.of(rule), clock, Duration.ofSeconds(-1)))
                .hasMessageContaining("clockSkew");
    }
}
