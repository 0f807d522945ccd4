package dev.aimesh.proxy.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import dev.aimesh.core.audit.SecurityEvent;
import dev.aimesh.core.audit.SecurityEvent.Field;
import dev.aimesh.core.audit.SecurityEvent.Type;

class ReportQueueTest {
    private final AtomicLong nanos = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final ReportQueue queue = new ReportQueue(3, 2, Duration.ofSeconds(1), nanos::get, dropped::addAndGet);

    private static SecurityEvent handshake(String source, String reason) {
        return SecurityEvent.of(Type.PEER_AUTHN_REFUSED, Instant.EPOCH, Map.of(Field.CALLER, source, Field.REASON, reason));
    }

    private static SecurityEvent denied(int i) {
        return SecurityEvent.of(Type.AUTHZ_DENIED, Instant.EPOCH, Map.of(Field.PATH, "/" + i));
    }

    private List<SecurityEvent> drain() throws InterruptedException {
        List<SecurityEvent> out = new ArrayList<>();
        for (SecurityEvent e = queue.poll(0); e != null; e = queue.poll(0)) {
            out.add(e);
        }
        return out;
    }

    @Test
    void noiseIsCountedPerSourceAndReasonAndReportedOnceItsWindowCloses() throws Exception {
        for (int i = 0; i < 1000; i++) {
            queue.offer(handshake("10.0.0.1", "TLS handshake: certificate_required"));
        }
        queue.offer(handshake("10.0.0.2", "TLS handshake: certificate_required"));
        assertThat(drain()).isEmpty(); // the window is open
        nanos.addAndGet(Duration.ofSeconds(1).toNanos());
        List<SecurityEvent> out = drain();
        assertThat(out).hasSize(2);
        assertThat(out.get(0).fields()).containsEntry(Field.CALLER, "10.0.0.1").containsEntry(Field.COUNT, "1000");
        assertThat(out.get(1).fields()).containsEntry(Field.CALLER, "10.0.0.2").doesNotContainKey(Field.COUNT);
        assertThat(dropped.get()).isZero();
    }

    @Test
    void sourcesBeyondTheLimitShareOneCount() throws Exception {
        for (int i = 0; i < 10; i++) {
            queue.offer(handshake("10.0.1." + i, "TLS handshake: x"));
        }
        queue.closeAllWindows();
        List<SecurityEvent> out = drain();
        assertThat(out).hasSize(3);
        assertThat(out.get(2).fields()).containsEntry(Field.CALLER, ReportQueue.OTHER_SOURCES).containsEntry(Field.COUNT, "8");
    }

    @Test
    void overloadRefusalsAreCountedPerCallerAndLeaveTheDenialsTheirBudget() throws Exception {
        for (int i = 0; i < 5000; i++) {
            queue.offer(SecurityEvent.of(Type.OVERLOAD_REFUSED, Instant.EPOCH, Map.of(Field.CALLER,
                    "spiffe://example.org/ns/apps/sa/greedy", Field.REASON, "peer-stream-limit: over 1024")));
        }
        assertThat(queue.offer(denied(1))).isTrue();
        nanos.addAndGet(Duration.ofSeconds(1).toNanos());

        List<SecurityEvent> out = drain();
        assertThat(out).extracting(SecurityEvent::type).containsExactlyInAnyOrder(Type.AUTHZ_DENIED, Type.OVERLOAD_REFUSED);
        assertThat(out).filteredOn(e -> e.type() == Type.OVERLOAD_REFUSED).singleElement()
                .satisfies(e -> assertThat(e.fields()).containsEntry(Field.COUNT, "5000"));
        assertThat(dropped.get()).isZero();
    }

    @Test
    void aFullBudgetDropsItsNewestAndLeavesTheOthersRoom() throws Exception {
        for (int i = 0; i < 5; i++) {
            assertThat(queue.offer(denied(i))).isEqualTo(i < 3);
        }
        assertThat(dropped.get()).isEqualTo(2);
        assertThat(queue.offer(SecurityEvent.of(Type.JWT_REFUSED, Instant.EPOCH, Map.of()))).isTrue();
        assertThat(queue.offer(SecurityEvent.of(Type.NETPOL_EGRESS_DENIED, Instant.EPOCH, Map.of()))).isTrue();
        // taken in turn: one of each budget before the second denial
        assertThat(drain()).extracting(SecurityEvent::type).containsExactly(Type.AUTHZ_DENIED, Type.JWT_REFUSED,
                Type.NETPOL_EGRESS_DENIED, Type.AUTHZ_DENIED, Type.AUTHZ_DENIED);
    }

    @Test
    void aPollWaitsForTheOldestWindowToClose() throws Exception {
        ReportQueue real = new ReportQueue(10, 10, Duration.ofMillis(50), System::nanoTime, dropped::addAndGet);
        real.offer(handshake("10.0.0.9", "r"));
        long start = System.nanoTime();
        SecurityEvent event = real.poll(Duration.ofSeconds(5).toNanos());
        assertThat(event).isNotNull();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
    }
}
