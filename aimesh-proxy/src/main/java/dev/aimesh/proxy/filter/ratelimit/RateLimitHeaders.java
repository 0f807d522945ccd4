package dev.aimesh.proxy.filter.ratelimit;

import java.util.List;
import dev.aimesh.core.ratelimit.RateLimits.Applied;
import dev.aimesh.core.time.Durations;

/**
 * The IETF {@code RateLimit-Policy} and {@code RateLimit} fields (draft-ietf-httpapi-ratelimit-headers): for each
 * limit that applied, its quota and window ({@code "budget/chat-tokens";q=2000;w=60}) and what is left of it with
 * the seconds until it is whole again ({@code "budget/chat-tokens";r=150;t=12}).
 */
final class RateLimitHeaders {
    static final String POLICY = "RateLimit-Policy";
    static final String STATE = "RateLimit";

    private RateLimitHeaders() {}

    static String name(Applied a) {
        String policy = a.limit().policy();
        return policy.substring(policy.indexOf('/') + 1) + "/" + a.limit().limit().name();
    }

    static String policies(List<Applied> applied) {
        StringBuilder b = new StringBuilder();
        for (Applied a : applied) {
            if (!b.isEmpty()) {
                b.append(", ");
            }
            b.append('"').append(name(a)).append("\";q=").append(a.limit().limit().amount()).append(";w=")
                    .append(a.limit().limit().window().toSeconds());
        }
        return b.toString();
    }

    static String states(List<Applied> applied, LocalCounters counters, long now) {
        StringBuilder b = new StringBuilder();
        for (Applied a : applied) {
            long[] state = counters.state(a, now);
            if (!b.isEmpty()) {
                b.append(", ");
            }
            b.append('"').append(name(a)).append("\";r=").append(state[0]).append(";t=").append(seconds(state[1]));
        }
        return b.toString();
    }

    /** Whole seconds, rounded up: a client that waits this long finds the room it was told of. */
    static long seconds(long nanos) {
        return nanos <= 0 ? 0 : (nanos + 999_999_999L) / 1_000_000_000L;
    }

    /** {@code 2000 tokens per 1m}, as messages say it. */
    static String describe(Applied a) {
        var limit = a.limit().limit();
        return limit.amount() + " " + limit.unit().name().toLowerCase(java.util.Locale.ROOT) + " per "
                + Durations.format(limit.window());
    }
}
