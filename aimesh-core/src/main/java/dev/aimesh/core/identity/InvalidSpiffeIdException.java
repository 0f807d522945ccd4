package dev.aimesh.core.identity;

/** A string that is not a valid SPIFFE ID or trust domain; the message names the rule it breaks. */
public final class InvalidSpiffeIdException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    InvalidSpiffeIdException(String input, String rule) {
        super("invalid SPIFFE ID '" + abbreviate(input) + "': " + rule);
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}
