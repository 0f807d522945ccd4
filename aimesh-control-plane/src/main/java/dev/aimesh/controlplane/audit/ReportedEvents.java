package dev.aimesh.controlplane.audit;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import dev.aimesh.core.audit.SecurityEvent;
import dev.aimesh.core.identity.SpiffeId;

/**
 * Records the security events proxies report in the audit log, each with the verified identity of the proxy
 * that reported it ({@code reporter}). What one proxy may send is bounded, so a flooding or compromised
 * proxy cannot fill the disk: at most {@link #MAX_BATCH} events per batch and {@link Limits#perSecond} per
 * second (bursts of {@link Limits#burst}). What goes over is refused, counted, logged once per episode, and
 * reported in the log as an {@code audit.refused} event before that proxy's next accepted events.
 */
public final class ReportedEvents {
    private static final Logger log = LoggerFactory.getLogger(ReportedEvents.class);
    public static final int MAX_BATCH = 256;

    /** A token bucket per reporter: {@code perSecond} sustained, {@code burst} at once. */
    public record Limits(int perSecond, int burst) {
        public static final Limits DEFAULT = new Limits(20, 200);

        public Limits {
            if (perSecond <= 0 || burst <= 0) {
                throw new IllegalArgumentException("limits: " + perSecond + "/s, burst " + burst + " (expected: > 0)");
            }
        }
    }

    /** What became of one batch. */
    public record Receipt(int recorded, int refused) {}

    private final AuditLog audit;
    private final InstantSource clock;
    private final Limits limits;
    private final Map<SpiffeId, Reporter> reporters = new ConcurrentHashMap<>();
    private final AtomicLong refused = new AtomicLong();

    public ReportedEvents(AuditLog audit, InstantSource clock, Limits limits) {
        this.audit = audit;
        this.clock = clock;
        this.limits = limits;
    }

    /** Events refused since start, over every reporter. */
    public long refused() {
        return refused.get();
    }

    /** Records a batch; an empty element is an event of a type this control plane does not know, and is refused. */
    public Receipt record(SpiffeId reporter, List<Optional<SecurityEvent>> batch) {
        Reporter state = reporters.computeIfAbsent(reporter, id -> new Reporter(limits.burst(), clock.instant()));
        synchronized (state) {
            Instant now = clock.instant();
            List<AuditEvent> entries = new ArrayList<>();
            int over = 0;
            for (int i = 0; i < batch.size(); i++) {
                Optional<SecurityEvent> event = batch.get(i);
                if (i >= MAX_BATCH || event.isEmpty() || !state.take(now, limits)) {
                    over++;
                    continue;
                }
                if (state.refusedSinceReport > 0) {
                    entries.add(refusals(reporter, state, now));
                }
                entries.add(entry(reporter, event.get(), now));
            }
            audit.recordAll(entries); // one write and one flush to disk for the batch
            if (over > 0) {
                refused.addAndGet(over);
                if (state.refusedSinceReport == 0) {
                    log.warn("refusing security events from {}: over the limit of {} per batch, {}/s (burst {}) per proxy,"
                            + " or of an unknown type; the count goes to the audit log", reporter, MAX_BATCH,
                            limits.perSecond(), limits.burst());
                }
                state.refusedSinceReport += over;
            }
            return new Receipt(batch.size() - over, over);
        }
    }

    /** The entry that says how many of this reporter's events were refused since the last one. */
    private AuditEvent refusals(SpiffeId reporter, Reporter state, Instant now) {
        AuditEvent summary = new AuditEvent(now, "audit.refused", AuditEvent.Outcome.DENIED, Map.of("reporter",
                reporter.toString(), "count", Long.toString(state.refusedSinceReport), "reason", "over " + MAX_BATCH
                        + " per batch or " + limits.perSecond() + "/s (burst " + limits.burst() + "), or of an unknown type"));
        state.refusedSinceReport = 0;
        return summary;
    }

    private static AuditEvent entry(SpiffeId reporter, SecurityEvent event, Instant now) {
        Map<String, String> fields = new HashMap<>();
        event.fields().forEach((field, value) -> fields.put(field.key, value));
        fields.put("reporter", reporter.toString());
        fields.put("event_time", event.time().toString()); // the proxy's clock; the entry's time is ours
        return new AuditEvent(now, event.type().code, event.type().refusal ? AuditEvent.Outcome.DENIED
                : AuditEvent.Outcome.INFO, fields);
    }

    /** One reporter's bucket and the refusals not yet in the log; guarded by its own lock. */
    private static final class Reporter {
        private double tokens;
        private Instant last;
        private long refusedSinceReport;

        Reporter(int tokens, Instant now) {
            this.tokens = tokens;
            this.last = now;
        }

        boolean take(Instant now, Limits limits) {
            if (now.isAfter(last)) {
                tokens = Math.min(limits.burst(), tokens + Duration.between(last, now).toNanos() * limits.perSecond() / 1e9);
                last = now;
            }
            if (tokens < 1) {
                return false;
            }
            tokens--;
            return true;
        }
    }
}
