package dev.aimesh.identity.jwt;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.Signature;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Base64;
import java.util.List;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.JWKSet;

/**
 * Coverage-guided fuzzing of JWT decoding and validation. An input with a line break is a header and a
 * claim set, signed with the issuer's real key (so that the claim checks behind the signature are reached);
 * any other input is a token as a caller sends it. Decoding refuses only with {@link TokenRefused} (its
 * documented error) and a reason; the validator answers with a decision, never through its catch-all for
 * an unexpected exception ("token is malformed"). Seeds in {@code CompactJwsFuzzTestInputs/}.
 */
class CompactJwsFuzzTest {
    static final String ISSUER = "https://issuer.example";
    private static final JwtValidator VALIDATOR = new JwtValidator(
            List.of(JwtRule.of(ISSUER, List.of("model-api"), new JWKSet(TestTokens.EC_P256.toPublicJWK()))),
            InstantSource.fixed(Instant.parse("2026-06-01T12:00:00Z")));

    @FuzzTest(maxDuration = "15s")
    void anyTokenIsAcceptedOrRefusedWithAReason(byte[] input) throws Exception {
        String text = new String(input, StandardCharsets.UTF_8);
        int split = text.indexOf('\n');
        String token = split < 0 ? text : signed(text.substring(0, split), text.substring(split + 1));
        try {
            CompactJws jws = CompactJws.parse(token);
            JwsHeaderPolicy.checkMembers(jws.header());
        } catch (TokenRefused refused) {
            assertThat(refused.getMessage()).isNotBlank();
        }
        JwtDecision decision = VALIDATOR.validate(token);
        if (decision instanceof JwtDecision.Invalid invalid) {
            assertThat(invalid.reason()).isNotBlank().isNotEqualTo("token is malformed");
        }
    }

    private static String signed(String header, String claims) throws JOSEException, java.security.GeneralSecurityException {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String input = b64.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
        Signature signer = Signature.getInstance("SHA256withECDSAinP1363Format");
        signer.initSign(TestTokens.EC_P256.toECPrivateKey());
        signer.update(input.getBytes(StandardCharsets.US_ASCII));
        return input + "." + b64.encodeToString(signer.sign());
    }
}
