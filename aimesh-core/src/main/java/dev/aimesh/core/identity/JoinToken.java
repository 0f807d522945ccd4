package dev.aimesh.core.identity;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.regex.Pattern;

/**
 * A single-use join token as a person copies it: {@code jt1.<id>.<secret>.<pin>[,<pin>]}. The id names
 * the token on the control plane, the secret proves it, and each pin is the base64url SHA-256 of a
 * trusted root's public key, so the new workload can authenticate the control plane on first contact.
 */
public record JoinToken(String id, String secret, List<String> rootPins) {
    private static final String PREFIX = "jt1.";
    private static final Pattern PART = Pattern.compile("[A-Za-z0-9_-]{8,128}");

    public JoinToken {
        requireNonNull(id, "id");
        requireNonNull(secret, "secret");
        rootPins = List.copyOf(rootPins);
        if (!PART.matcher(id).matches() || !PART.matcher(secret).matches() || rootPins.isEmpty()
                || !rootPins.stream().allMatch(p -> PART.matcher(p).matches())) {
            throw new IllegalArgumentException("malformed join token");
        }
    }

    /** Parses a token; the message says what is wrong without echoing the secret. */
    public static JoinToken parse(String text) {
        requireNonNull(text, "text");
        String t = text.strip();
        if (!t.startsWith(PREFIX)) {
            throw new IllegalArgumentException("not an aimesh join token (expected it to start with '" + PREFIX + "')");
        }
        String[] parts = t.substring(PREFIX.length()).split("\\.", -1);
        if (parts.length != 3) {
            throw new IllegalArgumentException("malformed join token (expected jt1.<id>.<secret>.<pins>)");
        }
        try {
            return new JoinToken(parts[0], parts[1], List.of(parts[2].split(",", -1)));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("malformed join token (was it copied whole?)");
        }
    }

    @Override
    public String toString() {
        return PREFIX + id + "." + secret + "." + String.join(",", rootPins);
    }
}
