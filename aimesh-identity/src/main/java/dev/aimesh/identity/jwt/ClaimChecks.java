package dev.aimesh.identity.jwt;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** The checks on a verified token's claims: validity window and audience. */
final class ClaimChecks {
    private ClaimChecks() {}

    /** {@code exp} and {@code nbf} are optional, as in Envoy's jwt_authn; when present they bind. */
    static void checkTime(Map<String, Object> claims, Instant now, Duration skew) throws TokenRefused {
        Instant exp = numericDate(claims, "exp");
        if (exp != null && now.isAfter(exp.plus(skew))) {
            throw new TokenRefused("expired at " + exp);
        }
        Instant nbf = numericDate(claims, "nbf");
        if (nbf != null && now.plus(skew).isBefore(nbf)) {
            throw new TokenRefused("not valid before " + nbf);
        }
    }

    static void checkAudience(List<String> tokenAudiences, List<String> accepted) throws TokenRefused {
        if (accepted.isEmpty()) {
            return;
        }
        if (tokenAudiences.isEmpty()) {
            throw new TokenRefused("token has no aud; accepted audiences are " + accepted);
        }
        if (tokenAudiences.stream().noneMatch(accepted::contains)) {
            String which = tokenAudiences.size() == 1 ? "audience " + tokenAudiences.getFirst() + " is"
                    : "audiences " + tokenAudiences + " are";
            throw new TokenRefused(which + " not accepted");
        }
    }

    /** {@code aud} is a string or an array of strings (RFC 7519 4.1.3). */
    static List<String> audiences(Map<String, Object> claims) throws TokenRefused {
        Object aud = claims.get("aud");
        if (aud == null) {
            return List.of();
        }
        if (aud instanceof String one) {
            return List.of(one);
        }
        if (aud instanceof List<?> many && many.stream().allMatch(String.class::isInstance)) {
            return many.stream().map(String.class::cast).toList();
        }
        throw new TokenRefused("aud is neither a string nor an array of strings");
    }

    static String optionalString(Map<String, Object> claims, String name) throws TokenRefused {
        Object value = claims.get(name);
        if (value != null && !(value instanceof String)) {
            throw new TokenRefused(name + " is not a string");
        }
        return (String) value;
    }

    private static Instant numericDate(Map<String, Object> claims, String name) throws TokenRefused {
        Object value = claims.get(name);
        if (value == null) {
            return null;
        }
        if (!(value instanceof Number seconds) || !Double.isFinite(seconds.doubleValue())) {
            throw new TokenRefused(name + " is not a number of seconds");
        }
        double s = seconds.doubleValue();
        // Instant's range is about +-3e16 s; anything beyond is nonsense, not a date to compute with.
        if (Math.abs(s) > 1e15) {
            throw new TokenRefused(name + " is out of range");
        }
        long whole = (long) Math.floor(s);
        return Instant.ofEpochSecond(whole, (long) ((s - whole) * 1e9));
    }
}
