package dev.aimesh.proxy.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OncePerIntervalTest {
    @Test
    void theFirstGoesThroughThenOnePerIntervalWithTheCountOfTheOthers() {
        OncePerInterval once = new OncePerInterval(1000);
        assertThat(once.occurred(5_000)).isZero();
        for (int i = 0; i < 7; i++) {
            assertThat(once.occurred(5_000 + 100 * i)).isEqualTo(OncePerInterval.HELD_BACK);
        }
        assertThat(once.occurred(5_999)).isEqualTo(OncePerInterval.HELD_BACK);
        assertThat(once.occurred(6_000)).as("held back since the last one").isEqualTo(8);
        assertThat(once.occurred(9_000)).isZero();
    }
}
