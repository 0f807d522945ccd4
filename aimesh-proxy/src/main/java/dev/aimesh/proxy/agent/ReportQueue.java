package dev.aimesh.proxy.agent;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
import dev.aimesh.core.audit.EventBudget;
import dev.aimesh.core.audit.SecurityEvent;

/**
 * The security events waiting to be reported, one bounded queue per {@link EventBudget}, taken in turn, so
 * a flood of one kind never crowds out another. Connection-level noise (failed handshakes, plain-text
 * callers, NetworkPolicy refusals at accept: what anyone who can reach the port can cause) and overload
 * refusals (a caller's streams past its limit, thousands a second in a flood) are aggregated first: one event
 * per type, source and reason per window, carrying the count. {@link #offer} never
 * blocks for longer than a lock held for a map update, so event loops may call it.
 */
final class ReportQueue {
    private static final Set<SecurityEvent.Type> AGGREGATED = EnumSet.of(SecurityEvent.Type.PEER_AUTHN_REFUSED,
            SecurityEvent.Type.NETPOL_INGRESS_DENIED, SecurityEvent.Type.OVERLOAD_REFUSED);
    /** The source an aggregate stands for once {@code maxSources} distinct ones are being counted. */
    static final String OTHER_SOURCES = "(other sources)";

    private record Key(SecurityEvent.Type type, String source, String reason) {}

    /** The first event of a window and how many it stands for. */
    private static final class Aggregate {
        final SecurityEvent first;
        final long dueNanos;
        long count = 1;

        Aggregate(SecurityEvent first, long dueNanos) {
            this.first = first;
            this.dueNanos = dueNanos;
        }

        SecurityEvent event() {
            if (count == 1) {
                return first;
            }
            Map<SecurityEvent.Field, String> fields = new EnumMap<>(SecurityEvent.Field.class);
            fields.putAll(first.fields());
            fields.put(SecurityEvent.Field.COUNT, Long.toString(count));
            return SecurityEvent.of(first.type(), first.time(), fields);
        }
    }

    private final int capacity;
    private final int maxSources;
    private final long windowNanos;
    private final LongSupplier nanoTime;
    private final LongConsumer dropped;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition ready = lock.newCondition();
    private final Map<EventBudget, ArrayDeque<SecurityEvent>> queues = new EnumMap<>(EventBudget.class);
    /** In the order first seen, so the oldest window closes first. */
    private final LinkedHashMap<Key, Aggregate> aggregates = new LinkedHashMap<>();
    private int turn;

    /**
     * @param capacity events held per budget; what comes beyond is dropped and passed to {@code dropped}
     * @param maxSources distinct aggregation keys counted at once; further sources share one key
     * @param window how long one aggregate counts before it is reported
     */
    ReportQueue(int capacity, int maxSources, Duration window, LongSupplier nanoTime, LongConsumer dropped) {
        this.capacity = capacity;
        this.maxSources = maxSources;
        this.windowNanos = window.toNanos();
        this.nanoTime = nanoTime;
        this.dropped = dropped;
        for (EventBudget budget : EventBudget.values()) {
            queues.put(budget, new ArrayDeque<>());
        }
    }

    /** Queues or counts the event; false when it was dropped (its budget's queue is full). */
    boolean offer(SecurityEvent event) {
        lock.lock();
        try {
            if (AGGREGATED.contains(event.type())) {
                aggregate(event);
                return true;
            }
            return add(event, 1);
        } finally {
            lock.unlock();
        }
    }

    private void aggregate(SecurityEvent event) {
        Key key = new Key(event.type(), event.field(SecurityEvent.Field.CALLER).orElse(""),
                event.field(SecurityEvent.Field.REASON).orElse(""));
        Aggregate existing = aggregates.get(key);
        if (existing == null && aggregates.size() >= maxSources) {
            key = new Key(event.type(), OTHER_SOURCES, "");
            existing = aggregates.get(key);
            if (existing == null) {
                Map<SecurityEvent.Field, String> fields = new EnumMap<>(SecurityEvent.Field.class);
                fields.put(SecurityEvent.Field.CALLER, OTHER_SOURCES);
                fields.put(SecurityEvent.Field.REASON, "more than " + maxSources + " sources at once; the first one's: "
                        + event.field(SecurityEvent.Field.REASON).orElse(""));
                event = SecurityEvent.of(event.type(), event.time(), fields);
            }
        }
        if (existing != null) {
            existing.count++;
        } else {
            aggregates.put(key, new Aggregate(event, nanoTime.getAsLong() + windowNanos));
        }
    }

    private boolean add(SecurityEvent event, long stands) {
        ArrayDeque<SecurityEvent> queue = queues.get(EventBudget.of(event.type()));
        if (queue.size() >= capacity) {
            dropped.accept(stands);
            return false;
        }
        queue.add(event);
        ready.signal();
        return true;
    }

    /**
     * The next event, taking the budgets in turn; waits up to {@code timeoutNanos} for one (0: does not wait).
     * Aggregates whose window has closed are queued first.
     */
    SecurityEvent poll(long timeoutNanos) throws InterruptedException {
        long deadline = nanoTime.getAsLong() + timeoutNanos;
        lock.lockInterruptibly();
        try {
            while (true) {
                long now = nanoTime.getAsLong();
                closeWindows(now, false);
                SecurityEvent next = next();
                if (next != null) {
                    return next;
                }
                long left = deadline - now;
                if (left <= 0) {
                    return null;
                }
                Aggregate oldest = aggregates.isEmpty() ? null : aggregates.values().iterator().next();
                long wait = oldest == null ? left : Math.max(1, Math.min(left, oldest.dueNanos - now));
                ready.await(wait, TimeUnit.NANOSECONDS);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Queues every aggregate at once, whatever its window: the proxy is stopping. */
    void closeAllWindows() {
        lock.lock();
        try {
            closeWindows(0, true);
        } finally {
            lock.unlock();
        }
    }

    private void closeWindows(long now, boolean all) {
        for (Iterator<Aggregate> it = aggregates.values().iterator(); it.hasNext(); ) {
            Aggregate aggregate = it.next();
            if (!all && aggregate.dueNanos - now > 0) {
                break; // first seen first: the rest are due later
            }
            it.remove();
            add(aggregate.event(), aggregate.count);
        }
    }

    private SecurityEvent next() {
        EventBudget[] budgets = EventBudget.values();
        for (int i = 0; i < budgets.length; i++) {
            ArrayDeque<SecurityEvent> queue = queues.get(budgets[(turn + i) % budgets.length]);
            if (!queue.isEmpty()) {
                turn = (turn + i + 1) % budgets.length;
                return queue.poll();
            }
        }
        return null;
    }
}
