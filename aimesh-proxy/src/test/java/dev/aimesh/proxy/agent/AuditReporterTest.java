package dev.aimesh.proxy.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import dev.aimesh.core.audit.SecurityEvent;
import dev.aimesh.core.audit.SecurityEvent.Field;
import dev.aimesh.core.audit.SecurityEvent.Type;

class AuditReporterTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private final List<List<SecurityEvent>> batches = new CopyOnWriteArrayList<>();
    private final List<AuditReporter> reporters = new ArrayList<>();

    private AuditReporter reporter(AuditReporter.Transport transport, int capacity, int batchSize, Duration interval) {
        AuditReporter reporter = new AuditReporter(transport, InstantSource.fixed(Instant.EPOCH),
                new AuditReporter.Settings(capacity, batchSize, interval, Duration.ofMillis(1), Duration.ofMillis(20)));
        reporters.add(reporter);
        return reporter;
    }

    @AfterEach
    void closeAll() {
        reporters.forEach(AuditReporter::close);
    }

    private AuditReporter.Transport recording() {
        return batch -> batches.add(List.copyOf(batch));
    }

    private static SecurityEvent denied(int i) {
        return SecurityEvent.of(Type.AUTHZ_DENIED, Instant.EPOCH, Map.of(Field.PATH, "/" + i));
    }

    private List<SecurityEvent> received() {
        return batches.stream().flatMap(List::stream).toList();
    }

    @Test
    void eventsGoInOrderInBatchesNoLargerThanTheBatchSize() {
        AuditReporter reporter = reporter(recording(), 1000, 100, Duration.ofMillis(50));
        List<SecurityEvent> sent = new ArrayList<>();
        for (int i = 0; i < 250; i++) {
            sent.add(denied(i));
            reporter.enqueue(sent.get(i));
        }
        await().atMost(WAIT).until(() -> received().size() == 250);
        assertThat(received()).isEqualTo(sent);
        assertThat(batches).allSatisfy(b -> assertThat(b).hasSizeLessThanOrEqualTo(100));
        assertThat(reporter.sent()).isEqualTo(250);
        assertThat(reporter.dropped()).isZero();
    }

    @Test
    void aFullBatchGoesAtOnceAndALoneEventAfterTheInterval() {
        AuditReporter reporter = reporter(recording(), 1000, 3, Duration.ofSeconds(30));
        for (int i = 0; i < 3; i++) {
            reporter.enqueue(denied(i));
        }
        await().atMost(WAIT).until(() -> batches.size() == 1);
        assertThat(batches.get(0)).hasSize(3);

        AuditReporter ticking = reporter(recording(), 1000, 100, Duration.ofMillis(100));
        ticking.enqueue(denied(9));
        await().atMost(WAIT).until(() -> batches.size() == 2);
        assertThat(batches.get(1)).containsExactly(denied(9));
    }

    @Test
    void whenTheQueueIsFullTheNewestAreDroppedAndTheCountIsReportedNext() throws Exception {
        CountDownLatch sending = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AuditReporter reporter = reporter(batch -> {
            sending.countDown();
            assertThat(release.await(10, TimeUnit.SECONDS)).isTrue(); // the control plane hangs
            batches.add(List.copyOf(batch));
        }, 10, 100, Duration.ofMillis(10));
        reporter.enqueue(denied(0));
        assertThat(sending.await(10, TimeUnit.SECONDS)).isTrue();
        for (int i = 1; i <= 15; i++) {
            reporter.enqueue(denied(i)); // returns at once although nothing is taken
        }
        assertThat(reporter.dropped()).isEqualTo(5);
        release.countDown();

        await().atMost(WAIT).until(() -> received().size() == 12);
        assertThat(batches.get(0)).containsExactly(denied(0));
        List<SecurityEvent> next = batches.get(1);
        assertThat(next.get(0).type()).isEqualTo(Type.AUDIT_DROPPED);
        assertThat(next.get(0).field(Field.COUNT)).contains("5");
        assertThat(next.subList(1, next.size())).containsExactly(denied(1), denied(2), denied(3), denied(4), denied(5),
                denied(6), denied(7), denied(8), denied(9), denied(10));
    }

    @Test
    void aBatchIsRetriedUntilTheControlPlaneTakesIt() {
        AtomicInteger attempts = new AtomicInteger();
        AuditReporter reporter = reporter(batch -> {
            if (attempts.incrementAndGet() <= 3) {
                throw new IllegalStateException("UNAVAILABLE: connection refused");
            }
            batches.add(List.copyOf(batch));
        }, 100, 100, Duration.ofMillis(10));
        reporter.enqueue(denied(1));
        await().atMost(WAIT).until(() -> batches.size() == 1);
        assertThat(attempts).hasValue(4);
        assertThat(batches.get(0)).containsExactly(denied(1));
    }

    @Test
    void closingSendsWhatIsStillQueued() {
        AuditReporter reporter = reporter(recording(), 100, 100, Duration.ofMinutes(5));
        reporter.enqueue(denied(1));
        reporter.enqueue(denied(2));
        reporter.close();
        assertThat(received()).containsExactly(denied(1), denied(2));
    }

    @Test
    void closingWhileTheControlPlaneDoesNotAnswerStopsAtOnceWithoutALastAttempt() throws Exception {
        // The first send fails (the control plane is away); the retry hangs as a call to an unreachable host does.
        AtomicInteger calls = new AtomicInteger();
        CountDownLatch retrying = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        AuditReporter reporter = reporter(batch -> {
            if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException("UNAVAILABLE: io exception");
            }
            retrying.countDown();
            never.await(); // interrupted by close
        }, 100, 100, Duration.ofMillis(10));
        reporter.enqueue(denied(1));
        reporter.enqueue(denied(2));
        assertThat(retrying.await(10, TimeUnit.SECONDS)).isTrue();
        reporter.close();
        // a last attempt would be a third call, hanging until close gave up waiting for it
        assertThat(calls.get()).isEqualTo(2);
        assertThat(reporter.unreported()).isEqualTo(2);
        assertThat(reporter.sent()).isZero();
    }

    @Test
    void closingWhileTheConfigStreamIsDownDoesNotTryTheControlPlane() {
        AtomicInteger calls = new AtomicInteger();
        AuditReporter reporter = new AuditReporter(batch -> calls.incrementAndGet(), InstantSource.fixed(Instant.EPOCH),
                new AuditReporter.Settings(100, 100, Duration.ofMinutes(5), Duration.ofMillis(1), Duration.ofMillis(20)),
                () -> false);
        reporters.add(reporter);
        reporter.enqueue(denied(1));
        reporter.enqueue(denied(2));
        reporter.enqueue(denied(3));
        reporter.close();
        assertThat(calls.get()).isZero();
        assertThat(reporter.unreported()).isEqualTo(3);
    }

    @Test
    void closingOnceTheControlPlaneIsBackSendsWhatIsStillQueued() {
        AtomicInteger calls = new AtomicInteger();
        AuditReporter reporter = reporter(batch -> {
            if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException("UNAVAILABLE: io exception");
            }
            batches.add(List.copyOf(batch));
        }, 100, 2, Duration.ofMinutes(5));
        reporter.enqueue(denied(1));
        reporter.enqueue(denied(2)); // a full batch: sent at once, failed once, retried
        await().atMost(WAIT).until(() -> received().size() == 2);
        reporter.enqueue(denied(3)); // waits for the interval, which the close cuts short
        reporter.close();
        assertThat(received()).containsExactly(denied(1), denied(2), denied(3));
        assertThat(reporter.unreported()).isZero();
    }

    @Test
    void longValuesSplitBatchesSoThatEachStaysUnderTheMessageLimit() {
        AuditReporter reporter = reporter(recording(), 1000, 100, Duration.ofMillis(50));
        for (int i = 0; i < 100; i++) {
            reporter.enqueue(SecurityEvent.of(Type.REQUEST_REFUSED, Instant.EPOCH, Map.of(Field.PATH, "/" + i + "x".repeat(600),
                    Field.MODEL, "m".repeat(600), Field.REASON, "r".repeat(600), Field.METHOD, "M".repeat(600))));
        }
        await().atMost(WAIT).until(() -> received().size() == 100);
        assertThat(batches).hasSizeGreaterThan(1).allSatisfy(b -> assertThat(b.stream()
                .mapToInt(e -> e.fields().values().stream().mapToInt(String::length).sum()).sum())
                .isLessThanOrEqualTo(AuditReporter.MAX_BATCH_CHARS));
        assertThat(received().get(99).field(Field.PATH).orElseThrow()).startsWith("/99x");
    }

    @Test
    void aBatchTheControlPlaneRefusesAsSuchIsCountedAsDroppedNotRetriedForever() {
        AtomicInteger attempts = new AtomicInteger();
        AuditReporter reporter = reporter(batch -> {
            if (attempts.incrementAndGet() == 1) {
                throw new AuditReporter.Refused("RESOURCE_EXHAUSTED: message too large", null);
            }
            batches.add(List.copyOf(batch));
        }, 100, 2, Duration.ofMinutes(5)); // a batch goes when it holds 2
        reporter.enqueue(denied(1));
        reporter.enqueue(denied(2));
        await().atMost(WAIT).until(() -> reporter.dropped() == 2);
        reporter.enqueue(denied(3));
        reporter.enqueue(denied(4));
        await().atMost(WAIT).until(() -> batches.size() == 1);
        assertThat(batches.get(0).get(0).type()).isEqualTo(Type.AUDIT_DROPPED);
        assertThat(batches.get(0).get(0).field(Field.COUNT)).contains("2");
        assertThat(batches.get(0).subList(1, 3)).containsExactly(denied(3), denied(4));
        assertThat(attempts).hasValue(2);
    }
}
