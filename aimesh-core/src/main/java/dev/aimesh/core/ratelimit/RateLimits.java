package dev.aimesh.core.ratelimit;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import dev.aimesh.core.ai.ModelCall;
import dev.aimesh.core.authz.AuthzRequest;
import dev.aimesh.core.identity.SpiffeId;
import dev.aimesh.core.resource.RateLimitPolicy;
import dev.aimesh.core.resource.RateLimitPolicy.KeyPart;
import dev.aimesh.core.resource.RateLimitPolicy.Limit;
import dev.aimesh.core.resource.RateLimitPolicy.Unit;
import dev.aimesh.core.resource.RateLimitPolicy.When;

/**
 * The limits of a workload's RateLimitPolicies, compiled: for a request, which limits apply and the key each one
 * counts it under. Every limit that applies must have room: limits of several policies add up, none overrides
 * another.
 */
public final class RateLimits {
    public static final RateLimits NONE = new RateLimits(List.of());

    private final List<Compiled> limits;
    private final boolean readsModel;
    private final boolean countsTokens;

    private RateLimits(List<Compiled> limits) {
        this.limits = List.copyOf(limits);
        this.readsModel = limits.stream().anyMatch(c -> !c.limit().when().models().isEmpty()
                || c.limit().by().contains(KeyPart.MODEL));
        this.countsTokens = limits.stream().anyMatch(c -> c.limit().unit() == Unit.TOKENS);
    }

    /**
     * One limit as the proxy keeps it.
     *
     * @param id {@code namespace/policy/limit}: the limit's counters across config pushes, while its rate is unchanged
     */
    public record Compiled(String policy, Limit limit, Gcra.Rate rate, String id) {
        public Compiled {
            requireNonNull(policy, "policy");
            requireNonNull(limit, "limit");
            requireNonNull(rate, "rate");
            requireNonNull(id, "id");
        }

        public Unit unit() {
            return limit.unit();
        }
    }

    /** A limit that applies to a request, and the key the request is counted under. */
    public record Applied(Compiled limit, String key) {}

    public static RateLimits compile(List<RateLimitPolicy> policies) {
        List<Compiled> compiled = new ArrayList<>();
        for (RateLimitPolicy policy : policies) {
            for (Limit limit : policy.limits()) {
                Gcra.Rate rate = new Gcra.Rate(limit.amount(), limit.window().toNanos());
                // the rate is in the id: a changed limit starts afresh rather than read old counts at a new rate
                compiled.add(new Compiled(policy.ref(), limit, rate, policy.ref() + "/" + limit.name() + "@" + limit.amount()
                        + "/" + limit.window().toSeconds()));
            }
        }
        return compiled.isEmpty() ? NONE : new RateLimits(compiled);
    }

    public boolean isEmpty() {
        return limits.isEmpty();
    }

    public List<Compiled> limits() {
        return limits;
    }

    /** Whether a limit matches on or is keyed by the model (the body is then read for it when the path names none). */
    public boolean readsModel() {
        return readsModel;
    }

    public boolean countsTokens() {
        return countsTokens;
    }

    /** The limits that apply to a request from {@code peer} (empty: plain text), in the policies' order. */
    public List<Applied> applying(Optional<SpiffeId> peer, ModelCall call, Optional<AuthzRequest.Token> token) {
        List<Applied> applied = new ArrayList<>(limits.size());
        for (Compiled c : limits) {
            if (matches(c.limit().when(), peer, call)) {
                applied.add(new Applied(c, key(c.limit().by(), peer, call, token)));
            }
        }
        return applied;
    }

    private static boolean matches(When when, Optional<SpiffeId> peer, ModelCall call) {
        if (!when.principals().isEmpty()) {
            String principal = peer.map(SpiffeId::principal).orElse(null);
            if (principal == null || when.principals().stream().noneMatch(m -> m.matches(principal))) {
                return false;
            }
        }
        if (!when.namespaces().isEmpty() && !peer.flatMap(SpiffeId::namespace).map(when.namespaces()::contains).orElse(false)) {
            return false;
        }
        if (!when.models().isEmpty() && !call.model().map(when.models()::contains).orElse(false)) {
            return false;
        }
        return when.operations().isEmpty() || call.operation().map(when.operations()::contains).orElse(false);
    }

    /** One part alone is the key as it is (a caller's ID needs no copy); several are written length-prefixed. */
    static String key(List<KeyPart> by, Optional<SpiffeId> peer, ModelCall call, Optional<AuthzRequest.Token> token) {
        if (by.size() == 1) {
            return part(by.get(0), peer, call, token);
        }
        StringBuilder key = new StringBuilder();
        for (KeyPart part : by) {
            String value = part(part, peer, call, token);
            key.append(value.length()).append(':').append(value);
        }
        return key.toString();
    }

    private static String part(KeyPart part, Optional<SpiffeId> peer, ModelCall call, Optional<AuthzRequest.Token> token) {
        return switch (part.kind()) {
            case CALLER -> peer.map(SpiffeId::toString).orElse("");
            case REQUEST_PRINCIPAL -> token.map(AuthzRequest.Token::principal).orElse("");
            case CLAIM -> token.map(t -> t.claims().get(part.claim())).map(String::valueOf).orElse("");
            case MODEL -> call.model().orElse("");
            case OPERATION -> call.operation().map(o -> o.key()).orElse("");
        };
    }
}
