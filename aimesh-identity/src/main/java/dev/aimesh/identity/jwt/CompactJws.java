package dev.aimesh.identity.jwt;

import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.Base64;
import java.util.Map;
import java.util.regex.Pattern;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.util.JSONObjectUtils;

/**
 * A token split as a compact JWS ({@code header.payload.signature}), with its header as raw JSON so the
 * header policy sees every member, including ones Nimbus would interpret or drop.
 */
record CompactJws(String token, Map<String, Object> header, byte[] payload, JWSObject jws) {
    private static final Pattern BASE64URL = Pattern.compile("[A-Za-z0-9_-]*");
    /** Far above any real bearer token; bounds the work an attacker can ask for. */
    static final int MAX_LENGTH = 64 * 1024;

    static CompactJws parse(String token) throws TokenRefused {
        if (token == null || token.isEmpty()) {
            throw new TokenRefused("token is empty");
        }
        if (token.length() > MAX_LENGTH) {
            throw new TokenRefused("token is longer than " + MAX_LENGTH + " characters");
        }
        if (token.startsWith("{")) {
            throw new TokenRefused("token uses the JSON serialization; only compact JWS is accepted");
        }
        String[] parts = token.split("\\.", -1);
        if (parts.length == 5) {
            throw new TokenRefused("token is encrypted (JWE); only signed JWTs are accepted");
        }
        if (parts.length != 3) {
            throw new TokenRefused("token has " + parts.length + " parts (expected: 3, header.payload.signature)");
        }
        String[] names = {"header", "payload", "signature"};
        byte[][] decoded = new byte[3][];
        for (int i = 0; i < 3; i++) {
            decoded[i] = strictBase64Url(parts[i], names[i]);
        }
        if (decoded[0].length == 0) {
            throw new TokenRefused("token has no header");
        }
        Map<String, Object> header;
        try {
            header = JSONObjectUtils.parse(new String(decoded[0], StandardCharsets.UTF_8));
        } catch (ParseException | RuntimeException e) {
            throw new TokenRefused("header is not a JSON object");
        }
        // The algorithm is judged before Nimbus parses the header: Nimbus reads "none" as a plain (unsigned) object.
        JwsHeaderPolicy.checkAlgorithm(header.get("alg"));
        if (decoded[2].length == 0) {
            throw new TokenRefused("token has no signature");
        }
        JWSObject jws;
        try {
            jws = JWSObject.parse(token);
        } catch (ParseException | RuntimeException e) {
            throw new TokenRefused("header does not parse: " + e.getMessage());
        }
        return new CompactJws(token, header, decoded[1], jws);
    }

    /**
     * Base64url without padding, canonical only: no other characters, and no set unused bits, so that a
     * token has one spelling (a signature covers the text, but logs and caches key on it).
     */
    private static byte[] strictBase64Url(String part, String name) throws TokenRefused {
        if (!BASE64URL.matcher(part).matches() || part.length() % 4 == 1) {
            throw new TokenRefused(name + " is not base64url");
        }
        byte[] bytes = Base64.getUrlDecoder().decode(part);
        if (!Base64.getUrlEncoder().withoutPadding().encodeToString(bytes).equals(part)) {
            throw new TokenRefused(name + " is not canonical base64url");
        }
        return bytes;
    }

    String alg() {
        return (String) header.get("alg");
    }

    /** The {@code kid} header, or null when absent. */
    String kid() throws TokenRefused {
        Object kid = header.get("kid");
        if (kid != null && !(kid instanceof String)) {
            throw new TokenRefused("kid header is not a string");
        }
        return (String) kid;
    }
}
