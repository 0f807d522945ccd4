package dev.aimesh.proxy.inbound;

import static java.util.Objects.requireNonNull;

import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import dev.aimesh.core.identity.SpiffeId;

/**
 * How many streams (HTTP/2) and exchanges (HTTP/1.1) each verified peer holds at once on one listener,
 * across all its connections, capped at {@link #maxPerPeer()}: the per-connection bound alone lets one caller
 * open many connections and hold that many streams on each. A peer holding nothing has no entry, so the map
 * grows with the peers that hold streams now, not with every identity ever seen.
 *
 * <p>Called from every event loop at once, without a lock: one atomic count per peer (so it is not in core,
 * which has no concurrency). A count that reaches
 * zero is retired (set to {@link #RETIRED}) before its entry is removed, so an acquire that raced with the
 * removal sees the retirement and starts a new entry instead of counting on one that left the map.
 */
final class StreamsPerPeer {
    private static final int RETIRED = -1;

    private final int maxPerPeer;
    private final ConcurrentHashMap<SpiffeId, AtomicInteger> held = new ConcurrentHashMap<>();

    public StreamsPerPeer(int maxPerPeer) {
        if (maxPerPeer < 1) {
            throw new IllegalArgumentException("maxPerPeer: " + maxPerPeer + " (expected: >= 1)");
        }
        this.maxPerPeer = maxPerPeer;
    }

    public int maxPerPeer() {
        return maxPerPeer;
    }

    /** A slot for one more stream of {@code peer}, or empty when it holds {@link #maxPerPeer()} already. */
    public Optional<Slot> tryAcquire(SpiffeId peer) {
        requireNonNull(peer, "peer");
        while (true) {
            AtomicInteger count = held.get(peer);
            if (count == null) {
                count = new AtomicInteger(1);
                if (held.putIfAbsent(peer, count) == null) {
                    return Optional.of(new Slot(peer, count));
                }
                continue; // another loop added it first: count on that one
            }
            int n = count.get();
            if (n == RETIRED) {
                held.remove(peer, count); // help the releaser that retired it, then start afresh
                continue;
            }
            if (n >= maxPerPeer) {
                return Optional.empty();
            }
            if (count.compareAndSet(n, n + 1)) {
                return Optional.of(new Slot(peer, count));
            }
        }
    }

    /** The streams {@code peer} holds now. */
    public int held(SpiffeId peer) {
        AtomicInteger count = held.get(peer);
        return count == null ? 0 : Math.max(0, count.get());
    }

    /** Peers with an entry now (those holding at least one stream, give or take one being retired). */
    public int peers() {
        return held.size();
    }

    /** What a refused peer is told: the limit, by name and value. */
    public String refusal(SpiffeId peer) {
        return peer + " already holds " + maxPerPeer + " concurrent streams on this proxy, across its connections"
                + " (maxStreamsPerPeer: " + maxPerPeer + ")";
    }

    private void release(SpiffeId peer, AtomicInteger count) {
        if (count.decrementAndGet() == 0 && count.compareAndSet(0, RETIRED)) {
            held.remove(peer, count);
        }
    }

    /** One stream's place in its peer's count; released once, whichever way the stream ends. */
    public final class Slot {
        private final SpiffeId peer;
        private final AtomicInteger count;
        private final AtomicBoolean released = new AtomicBoolean();

        private Slot(SpiffeId peer, AtomicInteger count) {
            this.peer = peer;
            this.count = count;
        }

        public SpiffeId peer() {
            return peer;
        }

        /** Gives the place back; true the first time, false (and nothing changes) after that. */
        public boolean release() {
            if (!released.compareAndSet(false, true)) {
                return false;
            }
            StreamsPerPeer.this.release(peer, count);
            return true;
        }
    }
}
