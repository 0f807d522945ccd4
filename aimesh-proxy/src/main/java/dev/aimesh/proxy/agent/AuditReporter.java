package dev.aimesh.proxy.agent;

import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.random.RandomGenerator;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import dev.aimesh.api.AuditMessages;
import dev.aimesh.api.v1.AuditServiceGrpc;
import dev.aimesh.core.audit.SecurityEvent;
import dev.aimesh.proxy.filter.common.SecurityEventSink;

/**
 * Sends the security events of the data path to the control plane's audit log. {@link #report} only offers
 * the event to a bounded {@link ReportQueue} (one queue per {@link dev.aimesh.core.audit.EventBudget}, taken
 * in turn; connection-level noise counted per source and reason for one {@link Settings#interval}), so it
 * never blocks an event loop and a flood of failed handshakes cannot crowd out authorization denials; a
 * sender thread sends batches every {@link Settings#interval} or as soon as one fills, and retries a batch
 * with jittered backoff while the control plane is away. When a budget's queue is full its newest event is
 * dropped (the first events of an attack are kept) and the drops are counted; the count goes in the next
 * batch as an {@code audit.dropped} event, so the gap shows in the log.
 *
 * <p>Closing makes one last attempt to send what is queued, unless the control plane is known to be away
 * (the reporter's last send failed, or the config stream is down): then the proxy stops at once and logs how
 * many events were not reported, as it would after waiting out the attempt. Nothing the control plane took is
 * at stake either way; it forces each batch to disk before it answers.
 */
public final class AuditReporter implements SecurityEventSink, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AuditReporter.class);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(3);
    /**
     * Most characters of values in one batch: even at 3 bytes each it stays under the control plane's
     * 256 KiB message limit, so a caller's long paths and model names cannot make a batch that never goes.
     */
    static final int MAX_BATCH_CHARS = 64 * 1024;
    /** Answers that mean the batch itself is refused; any other failure is retried. */
    private static final Set<Status.Code> REFUSED = EnumSet.of(Status.Code.INVALID_ARGUMENT, Status.Code.RESOURCE_EXHAUSTED,
            Status.Code.UNIMPLEMENTED);

    /** Sends one batch; throws when the control plane did not take it, {@link Refused} when it never will. */
    @FunctionalInterface
    public interface Transport {
        void send(List<SecurityEvent> batch) throws Exception;
    }

    /** The control plane refuses the batch itself (too large, malformed, unknown call): sending it again cannot help. */
    public static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        public Refused(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * How much is held while the control plane is away ({@code capacity} per budget), how much goes at once,
     * and how often (also the window over which noise is counted).
     */
    public record Settings(int capacity, int batchSize, Duration interval, Duration retryBase, Duration retryCap) {
        /** At most about 2.5 MB of events held; batches well under the control plane's 256 per batch. */
        public static final Settings DEFAULT = new Settings(2048, 100, Duration.ofSeconds(1), Duration.ofMillis(200),
                Duration.ofSeconds(5)); // a restarted control plane gets the held events within seconds
        /** Distinct sources whose noise is counted apart in one window; beyond, they share one count. */
        static final int MAX_SOURCES = 1024;

        public Settings {
            if (capacity <= 0 || batchSize <= 0 || interval.isNegative() || interval.isZero()) {
                throw new IllegalArgumentException("settings: capacity " + capacity + ", batch size " + batchSize
                        + ", interval " + interval + " (expected: > 0)");
            }
        }
    }

    private final Transport transport;
    private final InstantSource clock;
    private final Settings settings;
    private final ReportQueue queue;
    private final Backoff backoff;
    private final AtomicLong droppedSinceBatch = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong sent = new AtomicLong();
    /** The batch being built or sent, and an event that did not fit in it; only the sender thread touches them. */
    private final List<SecurityEvent> batch = new ArrayList<>();
    private SecurityEvent carried;
    private final BooleanSupplier streamUp;
    private final Thread sender;
    private final AtomicLong unreported = new AtomicLong();
    /** The last send failed for a reason other than a refusal: the control plane is away until one succeeds. */
    private volatile boolean failing;
    /** Set by {@link #close} before it stops the sender: whether the sender tries once more. */
    private volatile boolean lastAttempt = true;
    private volatile boolean closed;

    /** A reporter whose control plane is taken to be up unless sending to it fails. */
    public AuditReporter(Transport transport, InstantSource clock, Settings settings) {
        this(transport, clock, settings, () -> true);
    }

    /**
     * @param streamUp whether the proxy's config stream to the same control plane is up (as last seen, also
     *     after the stream was closed for the stop): when it is not, closing does not wait for a last attempt
     */
    public AuditReporter(Transport transport, InstantSource clock, Settings settings, BooleanSupplier streamUp) {
        this.transport = transport;
        this.streamUp = streamUp;
        this.clock = clock;
        this.settings = settings;
        this.queue = new ReportQueue(settings.capacity(), Settings.MAX_SOURCES, settings.interval(), System::nanoTime,
                drops -> {
                    droppedSinceBatch.addAndGet(drops);
                    dropped.addAndGet(drops);
                });
        this.backoff = new Backoff(settings.retryBase(), settings.retryCap(), RandomGenerator.getDefault());
        this.sender = Thread.ofPlatform().daemon().name("audit-reporter").start(this::run);
    }

    /** Reports over the control plane channel of {@code identity}; {@code streamUp} as for the constructor. */
    public static AuditReporter toControlPlane(WorkloadIdentity identity, InstantSource clock, BooleanSupplier streamUp) {
        return new AuditReporter(events -> {
            try {
                AuditServiceGrpc.newBlockingStub(identity.channel())
                        .withDeadlineAfter(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                        .report(AuditMessages.toProto(events));
            } catch (StatusRuntimeException e) {
                throw REFUSED.contains(e.getStatus().getCode()) ? new Refused(e.getMessage(), e) : e;
            }
        }, clock, Settings.DEFAULT, streamUp);
    }

    @Override
    public void report(SecurityEvent.Type type, Map<SecurityEvent.Field, String> fields) {
        enqueue(SecurityEvent.of(type, clock.instant(), fields));
    }

    void enqueue(SecurityEvent event) {
        queue.offer(event); // a drop is counted by the queue
    }

    /** Events dropped since start because the queue was full. */
    public long dropped() {
        return dropped.get();
    }

    /** Events the control plane has taken (including {@code audit.dropped} ones). */
    public long sent() {
        return sent.get();
    }

    /** Events still held when the reporter stopped without sending them (the control plane was away). */
    public long unreported() {
        return unreported.get();
    }

    private void run() {
        try {
            while (!closed) {
                nextBatch(settings.interval());
                if (!batch.isEmpty()) {
                    deliver();
                    batch.clear();
                }
            }
        } catch (InterruptedException e) {
            // closing: the batch under way and what is still queued get one last attempt below, if it can help
        }
        Thread.interrupted();
        queue.closeAllWindows();
        String why = lastAttempt ? null : "the control plane is away as the proxy stops";
        try {
            for (nextBatch(Duration.ZERO); !batch.isEmpty(); nextBatch(Duration.ZERO)) {
                if (why == null) {
                    try {
                        transport.send(batch);
                        sent.addAndGet(batch.size());
                    } catch (Exception e) {
                        why = "the control plane did not take them before the proxy stopped (" + e.getMessage() + ")";
                        unreported.addAndGet(batch.size());
                    }
                } else {
                    unreported.addAndGet(batch.size());
                }
                batch.clear();
            }
        } catch (InterruptedException e) {
            // not thrown: nextBatch(0) does not wait, and the interrupt was cleared
        }
        if (unreported.get() > 0) {
            log.warn("{} security event(s) not reported: {}", unreported.get(), why);
        }
    }

    /**
     * Takes events until the batch is full (in count or in characters) or, once {@code wait} has passed, the
     * queue is empty; waits for more until then.
     */
    private void nextBatch(Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        int chars = 0;
        while (batch.size() < settings.batchSize()) {
            SecurityEvent event = carried;
            carried = null;
            if (event == null) {
                long left = deadline - System.nanoTime();
                event = queue.poll(Math.max(0, left));
            }
            if (event == null) {
                break;
            }
            int size = chars(event);
            if (!batch.isEmpty() && chars + size > MAX_BATCH_CHARS) {
                carried = event;
                break;
            }
            batch.add(event);
            chars += size;
        }
        addDrops();
    }

    private static int chars(SecurityEvent event) {
        int chars = event.type().code.length() + 20;
        for (String value : event.fields().values()) {
            chars += value.length() + 2;
        }
        return chars;
    }

    private void addDrops() {
        long drops = droppedSinceBatch.getAndSet(0);
        if (drops > 0) {
            batch.add(0, SecurityEvent.dropped(clock.instant(), drops));
        }
    }

    /** Sends until the control plane takes the batch or refuses it as such; only closing gives up on it otherwise. */
    private void deliver() throws InterruptedException {
        backoff.reset();
        int failures = 0;
        while (true) {
            try {
                transport.send(batch);
                failing = false;
                sent.addAndGet(batch.size());
                if (failures > 0) {
                    log.info("security events reach the control plane again ({} failed attempt(s))", failures);
                }
                return;
            } catch (Refused e) {
                long lost = lost();
                dropped.addAndGet(lost);
                droppedSinceBatch.addAndGet(lost); // the next batch says how many
                log.warn("the control plane refused a batch of {} security event(s): {}; counted as dropped", batch.size(),
                        e.getMessage());
                return;
            } catch (Exception e) {
                if (closed) {
                    throw new InterruptedException("closing");
                }
                failing = true;
                failures++;
                Duration wait = backoff.next();
                if (failures == 1) {
                    log.warn("cannot report {} security event(s) to the control plane: {}; retrying (up to {} are held, then"
                            + " the newest are dropped and counted)", batch.size(), e.getMessage(), settings.capacity());
                }
                Thread.sleep(wait.toMillis());
            }
        }
    }

    /** How many events the batch stands for: its own and those its {@code audit.dropped} events count. */
    private long lost() {
        long lost = 0;
        for (SecurityEvent event : batch) {
            lost += event.type() == SecurityEvent.Type.AUDIT_DROPPED
                    ? event.field(SecurityEvent.Field.COUNT).map(Long::parseUnsignedLong).orElse(0L) : 1;
        }
        return lost;
    }

    /**
     * Stops the sender after one last attempt to send what is queued, or at once when the control plane is
     * known to be away (see the class comment).
     */
    @Override
    public void close() {
        lastAttempt = !failing && streamUp.getAsBoolean();
        closed = true;
        sender.interrupt();
        try {
            sender.join(CLOSE_TIMEOUT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
