package dev.aimesh.proxy.inbound;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Lets one occurrence through per interval and counts the others, for a log line that a flood must not
 * repeat thousands of times a second. Called from every event loop; takes no lock.
 */
final class OncePerInterval {
    /** What {@link #occurred} returns for an occurrence held back. */
    static final long HELD_BACK = -1;

    private final long intervalMillis;
    private final AtomicLong last = new AtomicLong(Long.MIN_VALUE);
    private final AtomicLong heldBack = new AtomicLong();

    OncePerInterval(long intervalMillis) {
        this.intervalMillis = intervalMillis;
    }

    /** {@link #HELD_BACK}, or, for the one let through, how many were held back since the last one let through. */
    long occurred(long nowMillis) {
        long previous = last.get();
        boolean due = previous == Long.MIN_VALUE || nowMillis - previous >= intervalMillis;
        if (!due || !last.compareAndSet(previous, nowMillis)) {
            heldBack.incrementAndGet();
            return HELD_BACK;
        }
        return heldBack.getAndSet(0);
    }
}
