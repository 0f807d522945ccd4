package dev.aimesh.identity.jwt;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The outcome of validating one token: a value, never an exception. */
public sealed interface JwtDecision {

    /** The token verified against its issuer's rule; {@code claims} is the whole payload as JSON values. */
    record Valid(String issuer, Optional<String> subject, List<String> audiences, Optional<String> presenter,
            Map<String, Object> claims) implements JwtDecision {
        public Valid {
            requireNonNull(issuer, "issuer");
            requireNonNull(subject, "subject");
            audiences = List.copyOf(audiences);
            requireNonNull(presenter, "presenter");
            // Not Map.copyOf: JSON claims may hold null values.
            claims = Collections.unmodifiableMap(new LinkedHashMap<>(claims));
        }
    }

    /** The token was refused; {@code reason} is short and meant for logs and the 401 body. */
    record Invalid(String reason) implements JwtDecision {
        public Invalid {
            requireNonNull(reason, "reason");
        }
    }
}
