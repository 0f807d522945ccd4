package dev.aimesh.core.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GcraTest {
    private static final long SECOND = 1_000_000_000L;
    /** 10 per second: one every 100 ms. */
    private final Gcra.Rate rate = new Gcra.Rate(10, SECOND);

    @Test
    void aKeyUsesItsWholeAmountAtOnceThenOnePerInterval() {
        long now = 5 * SECOND;
        long tat = 0; // a key never seen
        for (int i = 0; i < 10; i++) {
            long after = Gcra.after(tat, now, 1, rate);
            assertThat(Gcra.fits(after, now, rate)).as("use %d of 10", i + 1).isTrue();
            tat = after;
        }
        long eleventh = Gcra.after(tat, now, 1, rate);
        assertThat(Gcra.fits(eleventh, now, rate)).isFalse();
        assertThat(Gcra.retryAfterNanos(eleventh, now, rate)).isEqualTo(SECOND / 10);
        assertThat(Gcra.remaining(tat, now, rate)).isZero();
        assertThat(Gcra.resetNanos(tat, now)).isEqualTo(SECOND);

        long later = now + SECOND / 10;
        assertThat(Gcra.remaining(tat, later, rate)).isEqualTo(1);
        assertThat(Gcra.fits(Gcra.after(tat, later, 1, rate), later, rate)).isTrue();
        assertThat(Gcra.fits(Gcra.after(tat, later, 2, rate), later, rate)).isFalse();
    }

    @Test
    void aCostLargerThanTheAmountNeverFitsAndHugeCostsDoNotOverflow() {
        assertThat(Gcra.fits(Gcra.after(0, SECOND, 11, rate), SECOND, rate)).isFalse();
        long after = Gcra.after(Long.MAX_VALUE - 5, SECOND, Long.MAX_VALUE, rate);
        assertThat(after).isEqualTo(Long.MAX_VALUE);
        assertThat(Gcra.fits(after, SECOND, rate)).isFalse();
    }

    @Test
    void refundsGiveBackUnitsButNeverBeforeNow() {
        long now = 10 * SECOND;
        long tat = Gcra.after(0, now, 8, rate); // 8 used, 2 left
        assertThat(Gcra.remaining(tat, now, rate)).isEqualTo(2);
        tat = Gcra.refund(tat, now, 5, rate);
        assertThat(Gcra.remaining(tat, now, rate)).isEqualTo(7);
        assertThat(Gcra.refund(tat, now, 1_000, rate)).as("a refund larger than what was used").isEqualTo(now);
    }

    @Test
    void aKeyNeverSeenIsWholeAndStaysWholeWhatever()  {
        long now = 10 * SECOND;
        assertThat(Gcra.resetNanos(Long.MIN_VALUE, now)).isZero();
        assertThat(Gcra.remaining(Long.MIN_VALUE, now, rate)).isEqualTo(10);
        assertThat(Gcra.refund(Long.MIN_VALUE, now, 5, rate)).as("nothing to give back").isEqualTo(Long.MIN_VALUE);
        assertThat(Gcra.remaining(Gcra.refund(Long.MIN_VALUE, now, 5, rate), now, rate)).isEqualTo(10);
        assertThat(Gcra.fits(Gcra.after(Long.MIN_VALUE, now, 10, rate), now, rate)).isTrue();
    }

    @Test
    void aStreamTakesWhatIsLeftAndNoMore() {
        long now = 10 * SECOND;
        long tat = Gcra.after(0, now, 7, rate);
        long taken = Gcra.takeUpTo(tat, now, 5, rate);
        assertThat(Gcra.remaining(taken, now, rate)).isZero();
        assertThat(Gcra.fits(taken, now, rate)).as("what was taken fits: the key is full, not over").isTrue();
        assertThat(Gcra.takeUpTo(taken, now, 5, rate)).isEqualTo(taken);
    }
}
