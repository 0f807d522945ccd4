package dev.aimesh.proxy.filter.ratelimit;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import dev.aimesh.core.ratelimit.Gcra;
import dev.aimesh.core.ratelimit.RateLimits.Applied;

/**
 * The counters of one proxy's limits: one theoretical arrival time ({@link Gcra}) per limit and key, changed with a
 * compare-and-set so the event loops share them without locks. They outlive config pushes (a push does not give
 * anyone a fresh budget); a limit whose rate changes has a new id and starts afresh. At most {@code maxKeys} keys
 * per limit are kept: past that, keys idle long enough to be full again are dropped, and a new key that still
 * finds no room is refused rather than let memory grow.
 */
public final class LocalCounters {
    public static final int DEFAULT_MAX_KEYS = 100_000;
    private final ConcurrentHashMap<String, ConcurrentHashMap<String, AtomicLong>> limits = new ConcurrentHashMap<>();
    private final int maxKeys;

    public LocalCounters(int maxKeys) {
        this.maxKeys = maxKeys;
    }

    /** What a take decided: all taken ({@link #TAKEN}), or the first limit without room and when it would have some. */
    public record Taken(Applied refusedBy, long retryAfterNanos, boolean keysFull) {
        static final Taken TAKEN = new Taken(null, 0, false);

        public boolean taken() {
            return refusedBy == null;
        }
    }

    /**
     * Takes {@code costs[i]} units of each applied limit when every one has room for it (for at least one unit: a
     * limit whose budget is spent refuses even a request that costs nothing yet); else takes nothing.
     */
    public Taken take(List<Applied> applied, long[] costs, long now) {
        for (int i = 0; i < applied.size(); i++) {
            Applied a = applied.get(i);
            AtomicLong tat = tat(a, now);
            if (tat == null) {
                giveBack(applied, costs, i, now);
                return new Taken(a, 0, true);
            }
            Gcra.Rate rate = a.limit().rate();
            while (true) {
                long current = tat.get();
                long needed = Gcra.after(current, now, Math.max(1, costs[i]), rate);
                if (!Gcra.fits(needed, now, rate)) {
                    giveBack(applied, costs, i, now);
                    return new Taken(a, costs[i] > rate.amount() ? -1 : Gcra.retryAfterNanos(needed, now, rate), false);
                }
                if (tat.compareAndSet(current, Gcra.after(current, now, costs[i], rate))) {
                    break;
                }
            }
        }
        return Taken.TAKEN;
    }

    private void giveBack(List<Applied> applied, long[] costs, int before, long now) {
        for (int j = 0; j < before; j++) {
            give(applied.get(j), costs[j], now);
        }
    }

    /** Gives back units taken earlier (an estimate settled lower than it was charged). */
    public void give(Applied a, long units, long now) {
        if (units <= 0) {
            return;
        }
        AtomicLong tat = existing(a);
        if (tat != null) {
            tat.getAndUpdate(t -> Gcra.refund(t, now, units, a.limit().rate()));
        }
    }

    /** Takes as many of {@code units} as there is room for; returns how many it took. */
    public long takeUpTo(Applied a, long units, long now) {
        AtomicLong tat = tat(a, now);
        if (tat == null || units <= 0) {
            return 0;
        }
        Gcra.Rate rate = a.limit().rate();
        while (true) {
            long current = tat.get();
            long taken = Math.min(units, Gcra.remaining(current, now, rate));
            if (tat.compareAndSet(current, Gcra.after(current, now, taken, rate))) {
                return taken;
            }
        }
    }

    /**
     * Charges {@code units} whether or not there is room: what was used and could not be refused (a whole answer
     * counted at its end) is a debt the key's next requests wait out.
     */
    public void charge(Applied a, long units, long now) {
        AtomicLong tat = tat(a, now);
        if (tat != null && units > 0) {
            tat.getAndUpdate(t -> Gcra.after(t, now, units, a.limit().rate()));
        }
    }

    /** The units left and the nanoseconds until the whole amount is back, for the {@code RateLimit} header. */
    public long[] state(Applied a, long now) {
        AtomicLong tat = existing(a);
        long t = tat == null ? 0 : tat.get();
        return new long[] {Gcra.remaining(t, now, a.limit().rate()), Gcra.resetNanos(t, now)};
    }

    private AtomicLong existing(Applied a) {
        ConcurrentHashMap<String, AtomicLong> keys = limits.get(a.limit().id());
        return keys == null ? null : keys.get(a.key());
    }

    /** The key's counter, made when new; null when the limit holds {@code maxKeys} keys that are all in use. */
    private AtomicLong tat(Applied a, long now) {
        ConcurrentHashMap<String, AtomicLong> keys = limits.computeIfAbsent(a.limit().id(), id -> new ConcurrentHashMap<>());
        AtomicLong tat = keys.get(a.key());
        if (tat != null) {
            return tat;
        }
        if (keys.size() >= maxKeys) {
            keys.values().removeIf(t -> t.get() <= now); // full again: as good as absent
            if (keys.size() >= maxKeys) {
                return null;
            }
        }
        return keys.computeIfAbsent(a.key(), k -> new AtomicLong(Long.MIN_VALUE));
    }
}
