package dev.aimesh.identity.jwt;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.util.JSONObjectUtils;

/**
 * Validates end-user JWTs for a RequestAuthentication: a compact JWS signed with an asymmetric algorithm
 * by the issuer its {@code iss} names, with a key from that issuer's rule, inside its validity window and
 * for an accepted audience. Pure: no I/O, time from the injected clock; safe for concurrent use.
 *
 * <p>Order: the token's form and header, then the rule chosen by {@code iss}, then the signature, then
 * the claims, so that nothing an unsigned payload says is judged before the signature is.
 */
public final class JwtValidator {
    public static final Duration DEFAULT_CLOCK_SKEW = Duration.ofSeconds(60);

    private final Map<String, JwtRule> rulesByIssuer = new HashMap<>();
    private final InstantSource clock;
    private final Duration clockSkew;

    public JwtValidator(List<JwtRule> rules, InstantSource clock) {
        this(rules, clock, DEFAULT_CLOCK_SKEW);
    }

    public JwtValidator(List<JwtRule> rules, InstantSource clock, Duration clockSkew) {
        for (JwtRule rule : requireNonNull(rules, "rules")) {
            if (rulesByIssuer.putIfAbsent(rule.issuer(), rule) != null) {
                throw new IllegalArgumentException("rules: issuer " + rule.issuer() + " appears twice (expected: once)");
            }
        }
        this.clock = requireNonNull(clock, "clock");
        this.clockSkew = requireNonNull(clockSkew, "clockSkew");
        if (clockSkew.isNegative()) {
            throw new IllegalArgumentException("clockSkew: " + clockSkew + " (expected: >= 0)");
        }
    }

    /** Never throws for bad input: every refusal is an {@link JwtDecision.Invalid} with its reason. */
    public JwtDecision validate(String token) {
        try {
            return check(token);
        } catch (TokenRefused refused) {
            return new JwtDecision.Invalid(refused.getMessage());
        } catch (RuntimeException e) {
            return new JwtDecision.Invalid("token is malformed");
        }
    }

    private JwtDecision.Valid check(String token) throws TokenRefused {
        CompactJws jws = CompactJws.parse(token);
        JwsHeaderPolicy.checkMembers(jws.header());
        Map<String, Object> claims = claimsOf(jws);
        String issuer = ClaimChecks.optionalString(claims, "iss");
        if (issuer == null) {
            throw new TokenRefused("token has no iss");
        }
        JwtRule rule = rulesByIssuer.get(issuer);
        if (rule == null) {
            throw new TokenRefused("issuer " + issuer + " has no rule");
        }
        JWKSet keys = rule.keys().current();
        if (keys == null) {
            throw new TokenRefused("issuer " + issuer + " has no keys yet");
        }
        SignatureCheck.verify(jws, keys);
        ClaimChecks.checkTime(claims, clock.instant(), clockSkew);
        List<String> audiences = ClaimChecks.audiences(claims);
        ClaimChecks.checkAudience(audiences, rule.audiences());
        return new JwtDecision.Valid(issuer, Optional.ofNullable(ClaimChecks.optionalString(claims, "sub")), audiences,
                Optional.ofNullable(ClaimChecks.optionalString(claims, "azp")), claims);
    }

    private static Map<String, Object> claimsOf(CompactJws jws) throws TokenRefused {
        try {
            return JSONObjectUtils.parse(new String(jws.payload(), StandardCharsets.UTF_8));
        } catch (ParseException | RuntimeException e) {
            throw new TokenRefused("payload is not a JWT claims set");
        }
    }
}
