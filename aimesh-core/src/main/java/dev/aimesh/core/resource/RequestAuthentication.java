package dev.aimesh.core.resource;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import dev.aimesh.core.config.Position;

/**
 * Istio's {@code RequestAuthentication} ({@code security.istio.io/v1}, {@code v1beta1}): which end-user
 * JWTs the selected workloads accept. A request with a token that fails every rule is refused (401); a
 * request without a token passes, with no request principal, and authorization decides about it.
 */
public record RequestAuthentication(ObjectMeta metadata, Position position, Optional<Map<String, String>> selector,
        List<String> targets, List<JwtRule> jwtRules) implements Resource {
    public static final ResourceType TYPE = new ResourceType("security.istio.io/v1", "RequestAuthentication");
    public static final ResourceType TYPE_V1BETA1 = new ResourceType("security.istio.io/v1beta1", "RequestAuthentication");

    public RequestAuthentication {
        requireNonNull(metadata, "metadata");
        requireNonNull(position, "position");
        selector = selector.map(Map::copyOf);
        targets = List.copyOf(targets);
        jwtRules = List.copyOf(jwtRules);
    }

    @Override
    public ResourceType type() {
        return TYPE;
    }

    public String ref() {
        return metadata.namespace() + "/" + metadata.name();
    }

    /**
     * One issuer: its keys inline ({@code jwks}), at {@code jwksUri}, or, with neither, found through OIDC
     * discovery at {@code <issuer>/.well-known/openid-configuration}. Where the token is looked for:
     * {@code fromHeaders} / {@code fromParams} / {@code fromCookies}, or by default
     * {@code Authorization: Bearer} and the {@code access_token} parameter.
     */
    public record JwtRule(String issuer, List<String> audiences, Optional<String> jwksUri, Optional<String> jwks,
            List<HeaderLocation> fromHeaders, List<String> fromParams, List<String> fromCookies,
            Optional<String> outputPayloadToHeader, List<ClaimToHeader> outputClaimToHeaders, boolean forwardOriginalToken,
            Duration timeout) {
        public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

        public JwtRule {
            requireNonNull(issuer, "issuer");
            audiences = List.copyOf(audiences);
            fromHeaders = List.copyOf(fromHeaders);
            fromParams = List.copyOf(fromParams);
            fromCookies = List.copyOf(fromCookies);
            outputClaimToHeaders = List.copyOf(outputClaimToHeaders);
        }

        /** Istio's default locations apply when the rule names none. */
        public boolean defaultLocations() {
            return fromHeaders.isEmpty() && fromParams.isEmpty() && fromCookies.isEmpty();
        }
    }

    /** A header that carries the token, after an optional prefix ({@code "Bearer "}). */
    public record HeaderLocation(String name, String prefix) {}

    /** Copies a claim of the verified token into a request header for the model. */
    public record ClaimToHeader(String header, String claim) {}
}
