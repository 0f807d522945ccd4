package dev.aimesh.proxy.inbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import dev.aimesh.core.identity.SpiffeId;

class StreamsPerPeerTest {
    private static final SpiffeId A = SpiffeId.parse("spiffe://example.org/ns/apps/sa/a");
    private static final SpiffeId B = SpiffeId.parse("spiffe://example.org/ns/apps/sa/b");

    @Test
    void aPeerIsRefusedAtTheCapAndAnotherIsNot() {
        StreamsPerPeer streams = new StreamsPerPeer(3);
        List<StreamsPerPeer.Slot> held = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            held.add(streams.tryAcquire(A).orElseThrow());
        }

        assertThat(streams.tryAcquire(A)).isEmpty();
        assertThat(streams.held(A)).isEqualTo(3);
        assertThat(streams.tryAcquire(B)).isPresent();

        held.get(0).release();
        assertThat(streams.tryAcquire(A)).as("a released slot is free again").isPresent();
        assertThat(streams.tryAcquire(A)).isEmpty();
    }

    @Test
    void aSlotIsReleasedOnceHoweverOftenItIsReleased() {
        StreamsPerPeer streams = new StreamsPerPeer(2);
        StreamsPerPeer.Slot first = streams.tryAcquire(A).orElseThrow();
        StreamsPerPeer.Slot second = streams.tryAcquire(A).orElseThrow();

        assertThat(first.release()).isTrue();
        assertThat(first.release()).isFalse();
        assertThat(first.release()).isFalse();

        assertThat(streams.held(A)).as("the second slot is still held").isEqualTo(1);
        assertThat(streams.tryAcquire(A)).isPresent();
        assertThat(streams.tryAcquire(A)).as("a repeated release freed nothing more").isEmpty();
        assertThat(second.peer()).isEqualTo(A);
    }

    @Test
    void aPeerHoldingNothingLeavesNoEntry() {
        StreamsPerPeer streams = new StreamsPerPeer(4);
        for (int i = 0; i < 10_000; i++) {
            SpiffeId peer = SpiffeId.parse("spiffe://example.org/ns/apps/sa/caller-" + i);
            StreamsPerPeer.Slot one = streams.tryAcquire(peer).orElseThrow();
            StreamsPerPeer.Slot two = streams.tryAcquire(peer).orElseThrow();
            one.release();
            two.release();
        }
        assertThat(streams.peers()).isZero();
        assertThat(streams.held(A)).isZero();
    }

    @Test
    void manyThreadsAcquiringAndReleasingNeverPassTheCapAndLeaveNothingBehind() throws Exception {
        int cap = 8;
        StreamsPerPeer streams = new StreamsPerPeer(cap);
        AtomicInteger inUse = new AtomicInteger();
        AtomicInteger mostInUse = new AtomicInteger();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                    for (int i = 0; i < 50_000; i++) {
                        Optional<StreamsPerPeer.Slot> slot = streams.tryAcquire(A);
                        if (slot.isPresent()) {
                            mostInUse.accumulateAndGet(inUse.incrementAndGet(), Math::max);
                            inUse.decrementAndGet();
                            slot.get().release();
                            slot.get().release(); // a second release, from another path, changes nothing
                        }
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            }));
        }
        start.countDown();
        for (Thread t : threads) {
            t.join(60_000);
        }

        assertThat(failures).isEmpty();
        assertThat(mostInUse.get()).isBetween(1, cap);
        assertThat(streams.held(A)).isZero();
        assertThat(streams.peers()).as("the entry went when the last slot did").isZero();
        for (int i = 0; i < cap; i++) {
            assertThat(streams.tryAcquire(A)).as("slot %d after the race", i).isPresent();
        }
        assertThat(streams.tryAcquire(A)).isEmpty();
    }

    @Test
    void theLimitIsValidatedAndNamedInTheRefusal() {
        assertThatThrownBy(() -> new StreamsPerPeer(0)).hasMessage("maxPerPeer: 0 (expected: >= 1)");
        assertThat(new StreamsPerPeer(1024).refusal(A)).contains(A.toString()).contains("maxStreamsPerPeer: 1024");
    }
}
