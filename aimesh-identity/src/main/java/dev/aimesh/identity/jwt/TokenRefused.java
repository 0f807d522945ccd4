package dev.aimesh.identity.jwt;

/**
 * Lets each check in this package stop with a reason; it never leaves the package, where it becomes a
 * {@link JwtDecision.Invalid} or a {@link SignatureCheck.Refused}.
 */
final class TokenRefused extends Exception {
    TokenRefused(String reason) {
        super(reason, null, false, false);
    }
}
