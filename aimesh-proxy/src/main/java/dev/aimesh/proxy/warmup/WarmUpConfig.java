package dev.aimesh.proxy.warmup;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * How long a proxy drives requests through its own data path before it reports ready, and at most how many:
 * {@link #OFF} skips it. The default is sized so that the hot path reaches compiled code on one core.
 */
public record WarmUpConfig(Duration budget, int maxExchanges) {
    public static final WarmUpConfig OFF = new WarmUpConfig(Duration.ZERO, 0);
    public static final WarmUpConfig DEFAULTS = new WarmUpConfig(Duration.ofSeconds(2), 20_000);

    public WarmUpConfig {
        requireNonNull(budget, "budget");
        if (budget.isNegative()) {
            throw new IllegalArgumentException("warm-up budget: " + budget + " (expected: zero or more)");
        }
        if (maxExchanges < 0) {
            throw new IllegalArgumentException("warm-up exchanges: " + maxExchanges + " (expected: zero or more)");
        }
    }

    /** The default number of exchanges within {@code budget}; zero turns the warm-up off. */
    public static WarmUpConfig of(Duration budget) {
        return budget.isZero() ? OFF : new WarmUpConfig(budget, DEFAULTS.maxExchanges());
    }

    public boolean off() {
        return budget.isZero() || maxExchanges == 0;
    }
}
