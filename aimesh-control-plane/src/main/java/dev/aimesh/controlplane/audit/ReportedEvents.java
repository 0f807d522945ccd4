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
import dev.aimesh.core.audit.EventBudget;
import dev.aimesh.core.audit.SecurityEvent;
import dev.aimesh.core.identity.SpiffeId;

/**
 * Records the security events proxies report in the audit log, each with the verified identity of the proxy
 * that reported it ({@code reporter}). What one proxy may send is bounded, so a flooding or compromised
 * proxy cannot fill the disk: at most {@link #MAX_BATCH} events per batch and, for each {@link EventBudget}
 * apart, {@link Limits#perSecond} per second (bursts of {@link Limits#burst}), so that noise from callers
 * without an identity never uses up what authorization, authentication and network-policy decisions may
 * send. What goes over is refused, counted, logged once per episode, and reported in the log as an
 * {@code audit.refused} event (one per budget) before that proxy's next accepted events.
 */
public final class ReportedEvents {
    private static final Logger log = LoggerFactory.getLogger(ReportedEvents.class);
    public static final int MAX_BATCH = 256;

    /** A token bucket per reporter and budget: {@code perSecond} sustained, {@code burst} at once. */
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
                String budget = event.map(e -> EventBudget.of(e.type()).name().toLowerCase(java.util.Locale.ROOT))
                        .orElse(UNKNOWN);
                if (i >= MAX_BATCH || event.isEmpty() || !state.take(EventBudget.of(event.get().type()), now, limits)) {
                    over++;
                    if (state.refusedSinceReport.isEmpty()) {
                        log.warn("refusing security events from {}: over the limit of {} per batch, {}/s (burst {}) per"
                                + " proxy and budget, or of an unknown type; the count goes to the audit log", reporter,
                                MAX_BATCH, limits.perSecond(), limits.burst());
                    }
                    state.refusedSinceReport.merge(i >= MAX_BATCH ? BATCH : budget, 1L, Long::sum);
                    continue;
                }
                if (!state.refusedSinceReport.isEmpty()) {
                    entries.addAll(refusals(reporter, state, now));
                }
                entries.add(entry(reporter, event.get(), now));
            }
            audit.recordAll(entries); // one write and one flush to disk for the batch
            refused.addAndGet(over);
            return new Receipt(batch.size() - over, over);
        }
    }

    private static final String UNKNOWN = "unknown-type";
    private static final String BATCH = "batch";

    /** The entries that say how many of this reporter's events were refused since the last ones, one per budget. */
    private List<AuditEvent> refusals(SpiffeId reporter, Reporter state, Instant now) {
        List<AuditEvent> summaries = new ArrayList<>();
        state.refusedSinceReport.forEach((budget, count) -> summaries.add(new AuditEvent(now, "audit.refused",
                AuditEvent.Outcome.DENIED, Map.of("reporter", reporter.toString(), "count", Long.toString(count),
                        "budget", budget, "reason", switch (budget) {
                            case BATCH -> "over " + MAX_BATCH + " per batch";
                            case UNKNOWN -> "of a type this control plane does not know";
                            default -> "over " + limits.perSecond() + "/s (burst " + limits.burst() + ") for " + budget
                                    + " events";
                        }))));
        state.refusedSinceReport.clear();
        return summaries;
    }

    private static AuditEvent entry(SpiffeId reporter, SecurityEvent event, Instant now) {
        Map<String, String> fields = new HashMap<>();
        event.fields().forEach((field, value) -> fields.put(field.key, value));
        fields.put("reporter", reporter.toString());
        fields.put("event_time", event.time().toString()); // the proxy's clock; the entry's time is ours
        return new AuditEvent(now, event.type().code, event.type().refusal ? AuditEvent.Outcome.DENIED
                : AuditEvent.Outcome.INFO, fields);
    }

    /** One reporter's buckets (one per budget) and the refusals not yet in the log; guarded by its own lock. */
    private static final class Reporter {
        private final Map<EventBudget, Bucket> buckets = new java.util.EnumMap<>(EventBudget.class);
        private final Map<String, Long> refusedSinceReport = new java.util.TreeMap<>();

        Reporter(int tokens, Instant now) {
            for (EventBudget budget : EventBudget.values()) {
                buckets.put(budget, new Bucket(tokens, now));
            }
        }

        boolean take(EventBudget budget, Instant now, Limits limits) {
            return buckets.get(budget).take(now, limits);
        }
    }

    private static final class Bucket {
        private double tokens;
        private Instant last;

        Bucket(int tokens, Instant now) {
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
