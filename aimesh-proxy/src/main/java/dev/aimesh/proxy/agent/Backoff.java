package dev.aimesh.proxy.agent;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with full jitter: attempt n waits a random time in [0, min(cap, base * 2^n)],
 * so proxies that lost the control plane together do not come back together.
 */
public final class Backoff {
    private final Duration base;
    private final Duration cap;
    private final RandomGenerator random;
    private int attempt;

    public Backoff(Duration base, Duration cap, RandomGenerator random) {
        this.base = base;
        this.cap = cap;
        this.random = random;
    }

    public Duration next() {
        long ceiling = Math.min(cap.toMillis(), base.toMillis() << Math.min(attempt, 20));
        attempt++;
        return Duration.ofMillis(Math.max(1, (long) (random.nextDouble() * ceiling)));
    }

    public void reset() {
        attempt = 0;
    }
}
