package dev.aimesh.proxy.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ConcurrencyTest {
    @Test
    void withoutARequestTheProxyRunsOneLoopPerCoreItMayUse() {
        assertThat(Concurrency.of(null, () -> 3).loops()).isEqualTo(3);
        assertThat(Concurrency.ofAvailableCores().loops()).isEqualTo(Runtime.getRuntime().availableProcessors());
    }

    @Test
    void aRequestedCountWinsOverTheCores() {
        assertThat(Concurrency.of(1, () -> 8).loops()).isEqualTo(1);
        assertThat(Concurrency.of(Concurrency.MAX, () -> 1).loops()).isEqualTo(Concurrency.MAX);
    }

    @Test
    void aHostWithMoreCoresThanTheCapGetsTheCap() {
        assertThat(Concurrency.of(null, () -> 4096).loops()).isEqualTo(Concurrency.MAX);
    }

    @Test
    void zeroNegativeAndTooManyLoopsAreRefusedNamingTheOptionAndTheLimit() {
        for (int bad : new int[] {0, -1, Concurrency.MAX + 1}) {
            assertThatThrownBy(() -> Concurrency.of(bad, () -> 2))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("--concurrency: " + bad + " (expected: 1 to 256 event loops; without the option, one per core"
                            + " this process may use)");
        }
    }
}
