package dev.aimesh.proxy.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BackoffTest {
    @Test
    void growsExponentiallyWithFullJitterUpToTheCap() {
        Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(2), new Random(42));
        long[] ceilings = {100, 200, 400, 800, 1600, 2000, 2000, 2000};
        long max = 0;
        for (long ceiling : ceilings) {
            long wait = backoff.next().toMillis();
            assertThat(wait).isBetween(1L, ceiling);
            max = Math.max(max, wait);
        }
        assertThat(max).isGreaterThan(400); // it does grow
        backoff.reset();
        assertThat(backoff.next().toMillis()).isBetween(1L, 100L);
    }

    @Test
    void twoProxiesDoNotRetryInStep() {
        Backoff a = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30), new Random(1));
        Backoff b = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30), new Random(2));
        int same = 0;
        for (int i = 0; i < 10; i++) {
            same += a.next().equals(b.next()) ? 1 : 0;
        }
        assertThat(same).isLessThan(3);
    }
}
