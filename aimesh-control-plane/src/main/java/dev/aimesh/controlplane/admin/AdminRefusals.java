package dev.aimesh.controlplane.admin;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import dev.aimesh.controlplane.audit.AuditEvent;
import dev.aimesh.controlplane.audit.AuditLog;

/**
 * Logs and audits the requests the {@link AdminRequestGuard} refused, as {@code admin.refused} events. A page
 * that loops forged requests could fill the disk, so at most {@link #PER_SECOND} refusals a second are
 * written; the others are counted and the count goes with the next one written.
 */
public final class AdminRefusals {
    private static final Logger log = LoggerFactory.getLogger(AdminRefusals.class);
    static final int PER_SECOND = 10;

    private final AuditLog audit;
    private final InstantSource clock;
    private Instant windowStart = Instant.EPOCH;
    private int inWindow;
    private long suppressed;

    public AdminRefusals(AuditLog audit, InstantSource clock) {
        this.audit = audit;
        this.clock = clock;
    }

    public void refused(AdminRequestGuard.Request request, AdminRequestGuard.Refusal refusal, InetSocketAddress from) {
        Instant now = clock.instant();
        long skipped;
        synchronized (this) {
            if (Duration.between(windowStart, now).compareTo(Duration.ofSeconds(1)) >= 0) {
                windowStart = now;
                inWindow = 0;
            }
            if (++inWindow > PER_SECOND) {
                suppressed++;
                return;
            }
            skipped = suppressed;
            suppressed = 0;
        }
        log.warn("admin API refused {} {} from {}: {} ({})", request.method(), request.path(), from, refusal.reason(),
                refusal.status());
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("method", request.method());
        fields.put("path", cut(request.path()));
        fields.put("reason", refusal.code());
        fields.put("detail", refusal.reason());
        fields.put("status", Integer.toString(refusal.status()));
        if (skipped > 0) {
            fields.put("refused_before_not_recorded", Long.toString(skipped));
        }
        audit.record(new AuditEvent(now, "admin.refused", AuditEvent.Outcome.DENIED, fields));
    }

    private static String cut(String value) {
        return value.length() <= 200 ? value : value.substring(0, 197) + "...";
    }
}
