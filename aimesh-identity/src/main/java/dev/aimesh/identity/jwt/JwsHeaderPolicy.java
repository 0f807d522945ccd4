package dev.aimesh.identity.jwt;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** What a token's JOSE header may say before any key is looked at. */
final class JwsHeaderPolicy {
    /** Header members that carry or point to a key: trusting them lets the token choose its own key. */
    private static final List<String> EMBEDDED_KEY_MEMBERS = List.of("jwk", "jku", "x5u", "x5c");

    private JwsHeaderPolicy() {}

    static AcceptedAlgorithm checkAlgorithm(Object alg) throws TokenRefused {
        if (!(alg instanceof String name)) {
            throw new TokenRefused(alg == null ? "header has no alg" : "alg is not a string");
        }
        if (name.toLowerCase(Locale.ROOT).equals("none")) {
            throw new TokenRefused("alg none is not accepted");
        }
        if (name.startsWith("HS")) {
            throw new TokenRefused("alg " + name + " is not accepted (HMAC needs a shared secret; issuers publish public keys)");
        }
        return AcceptedAlgorithm.named(name).orElseThrow(() -> new TokenRefused("alg " + name + " is not accepted"));
    }

    /** Checks everything but the algorithm, which {@link CompactJws#parse} has already judged. */
    static void checkMembers(Map<String, Object> header) throws TokenRefused {
        for (String member : EMBEDDED_KEY_MEMBERS) {
            if (header.containsKey(member)) {
                throw new TokenRefused("token carries a " + member + " header; keys come only from the issuer's JWKS");
            }
        }
        // We implement no extension (not even b64=false), so any critical one must be refused (RFC 7515 4.1.11).
        if (header.containsKey("crit")) {
            throw new TokenRefused("crit header " + header.get("crit") + " is not understood");
        }
    }
}
