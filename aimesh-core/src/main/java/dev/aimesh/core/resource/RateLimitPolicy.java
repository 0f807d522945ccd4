package dev.aimesh.core.resource;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import dev.aimesh.core.ai.AiOperation;
import dev.aimesh.core.authz.StringMatch;
import dev.aimesh.core.config.Position;

/**
 * aimesh's {@code RateLimitPolicy} ({@code aimesh.dev/v1alpha1}), validated: how many requests, or how many LLM
 * tokens, the inbound proxy of the selected workloads lets each key (a caller, an end user, a model...) use per
 * window. Selected as Istio selects AuthorizationPolicies. How a limit is kept and charged lives in
 * {@link dev.aimesh.core.ratelimit}.
 *
 * @param selector labels a workload must have; empty: every workload of the scope
 * @param limits each one a budget per key; a request must fit in every limit that applies to it
 */
public record RateLimitPolicy(ObjectMeta metadata, Position position, Optional<Map<String, String>> selector,
        List<Limit> limits) implements Resource {
    public static final ResourceType TYPE = new ResourceType("aimesh.dev/v1alpha1", "RateLimitPolicy");
    public static final Duration MIN_WINDOW = Duration.ofSeconds(1);
    public static final Duration MAX_WINDOW = Duration.ofDays(31);
    public static final long MAX_AMOUNT = 1_000_000_000_000L;

    public RateLimitPolicy {
        requireNonNull(metadata, "metadata");
        requireNonNull(position, "position");
        selector = selector.map(Map::copyOf);
        limits = List.copyOf(limits);
    }

    @Override
    public ResourceType type() {
        return TYPE;
    }

    /** {@code namespace/name}, as events and headers name the policy. */
    public String ref() {
        return metadata.namespace() + "/" + metadata.name();
    }

    /**
     * A budget of {@code amount} {@code unit}s per {@code window} for each distinct key the {@code by} parts make,
     * for the requests {@code when} matches.
     *
     * @param name its name in events and in the {@code RateLimit} headers ({@code limits[1]} when the policy gives none)
     */
    public record Limit(String name, Unit unit, long amount, Duration window, List<KeyPart> by, When when) {
        public Limit {
            requireNonNull(name, "name");
            requireNonNull(unit, "unit");
            if (amount < 1 || amount > MAX_AMOUNT) {
                throw new IllegalArgumentException("amount: " + amount + " (expected: 1.." + MAX_AMOUNT + ")");
            }
            if (window.compareTo(MIN_WINDOW) < 0 || window.compareTo(MAX_WINDOW) > 0) {
                throw new IllegalArgumentException("window: " + window + " (expected: 1s..31d)");
            }
            by = List.copyOf(by);
            requireNonNull(when, "when");
        }
    }

    /** What a limit counts: requests, or LLM tokens (the prompt's and the answer's). */
    public enum Unit { REQUESTS, TOKENS }

    /**
     * One part of a limit's key: the caller's principal, the end user's ({@code iss/sub} of the verified JWT), one
     * claim of that JWT, the model, or the operation. A request without the part (no JWT, no model) shares one
     * key with the others without it.
     */
    public record KeyPart(Kind kind, String claim) {
        public static final KeyPart CALLER = new KeyPart(Kind.CALLER, "");
        public static final KeyPart REQUEST_PRINCIPAL = new KeyPart(Kind.REQUEST_PRINCIPAL, "");
        public static final KeyPart MODEL = new KeyPart(Kind.MODEL, "");
        public static final KeyPart OPERATION = new KeyPart(Kind.OPERATION, "");

        public KeyPart {
            requireNonNull(kind, "kind");
            requireNonNull(claim, "claim");
            if ((kind == Kind.CLAIM) == claim.isEmpty()) {
                throw new IllegalArgumentException("a claim key part names its claim, the others none");
            }
        }

        public static KeyPart claim(String name) {
            return new KeyPart(Kind.CLAIM, name);
        }

        /** The part a policy's text names, if any. */
        public static Optional<KeyPart> parse(String text) {
            return Optional.ofNullable(switch (text) {
                case "caller" -> CALLER;
                case "requestPrincipal" -> REQUEST_PRINCIPAL;
                case "model" -> MODEL;
                case "operation" -> OPERATION;
                default -> text.startsWith("claim:") && text.length() > "claim:".length()
                        ? claim(text.substring("claim:".length())) : null;
            });
        }

        /** As policies write it: {@code caller}, {@code requestPrincipal}, {@code claim:tenant}, {@code model}. */
        public String key() {
            return switch (kind) {
                case CALLER -> "caller";
                case REQUEST_PRINCIPAL -> "requestPrincipal";
                case CLAIM -> "claim:" + claim;
                case MODEL -> "model";
                case OPERATION -> "operation";
            };
        }

        public enum Kind { CALLER, REQUEST_PRINCIPAL, CLAIM, MODEL, OPERATION }
    }

    /**
     * Which requests a limit applies to: from any of the principals or namespaces (callers), for any of the models,
     * with any of the operations. An empty list does not narrow.
     */
    public record When(List<StringMatch> principals, List<String> namespaces, List<String> models, Set<AiOperation> operations) {
        public static final When ALWAYS = new When(List.of(), List.of(), List.of(), Set.of());

        public When {
            principals = List.copyOf(principals);
            namespaces = List.copyOf(namespaces);
            models = List.copyOf(models);
            operations = Set.copyOf(operations);
        }
    }
}
