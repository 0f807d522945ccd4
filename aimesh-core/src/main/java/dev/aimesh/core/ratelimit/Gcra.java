package dev.aimesh.core.ratelimit;

/**
 * The generic cell rate algorithm on one number per key, its theoretical arrival time ({@code tat}, on a
 * nanosecond clock): each unit used moves it on by the rate's interval ({@code window / amount}); a use fits
 * while the tat stays within one window of now. So a key may use its whole amount at once and then one more per
 * interval, and an idle key needs no state (a tat in the past is as good as none). Pure arithmetic with no
 * allocation: the stores (in the proxy, in Redis) keep the tats and apply these atomically.
 */
public final class Gcra {
    private Gcra() {}

    /** A limit's rate: {@code amount} units per {@code windowNanos}. */
    public record Rate(long amount, long windowNanos) {
        public Rate {
            if (amount < 1 || windowNanos < amount) {
                throw new IllegalArgumentException("rate: " + amount + " per " + windowNanos + " ns");
            }
        }

        /** Nanoseconds one unit takes to come back. */
        public long interval() {
            return windowNanos / amount;
        }
    }

    /** The tat after using {@code cost} units now, whether or not that fits (saturating, never overflowing). */
    public static long after(long tat, long now, long cost, Rate rate) {
        long start = Math.max(tat, now);
        long add = cost > Long.MAX_VALUE / rate.interval() ? Long.MAX_VALUE : cost * rate.interval();
        return start > Long.MAX_VALUE - add ? Long.MAX_VALUE : start + add;
    }

    /** Whether a key whose tat would become {@code after} is within its limit. */
    public static boolean fits(long after, long now, Rate rate) {
        return after - now <= rate.windowNanos();
    }

    /** How long until a use that would make the tat {@code after} fits (0 when it does). */
    public static long retryAfterNanos(long after, long now, Rate rate) {
        return Math.max(0, after - rate.windowNanos() - now);
    }

    /** The units a key may still use now. */
    public static long remaining(long tat, long now, Rate rate) {
        long used = Math.max(tat, now) - now;
        return Math.max(0, (rate.windowNanos() - used) / rate.interval());
    }

    /** How long until the key has its whole amount again. */
    public static long resetNanos(long tat, long now) {
        return tat <= now ? 0 : tat - now;
    }

    /** The tat after {@code units} used earlier are given back (never before now: what has come back stays back). */
    public static long refund(long tat, long now, long units, Rate rate) {
        if (tat <= now) {
            return tat; // all back already
        }
        long back = units > Long.MAX_VALUE / rate.interval() ? Long.MAX_VALUE : units * rate.interval();
        return back >= tat - now ? now : tat - back;
    }

    /**
     * The tat after using up to {@code cost} units now, as many as fit: a stream that is charged as it goes takes
     * what is left and is told to stop when {@code remaining} was smaller than its cost.
     */
    public static long takeUpTo(long tat, long now, long cost, Rate rate) {
        return after(tat, now, Math.min(cost, remaining(tat, now, rate)), rate);
    }
}
