package dev.aimesh.controlplane.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import dev.aimesh.core.audit.SecurityEvent;
import dev.aimesh.core.audit.SecurityEvent.Field;
import dev.aimesh.core.audit.SecurityEvent.Type;
import dev.aimesh.core.identity.SpiffeId;

class ReportedEventsTest {
    private static final SpiffeId PROXY = SpiffeId.parse("spiffe://td/ns/models/sa/llm");
    private static final SpiffeId OTHER = SpiffeId.parse("spiffe://td/ns/apps/sa/app");

    private final List<AuditEvent> log = Collections.synchronizedList(new ArrayList<>());
    private final AuditLog audit = new AuditLog() {
        @Override
        public void record(AuditEvent event) {
            log.add(event);
        }

        @Override
        public void close() {}
    };
    private Instant now = Instant.parse("2026-01-01T00:00:00Z");
    private final InstantSource clock = () -> now;
    private final ReportedEvents events = new ReportedEvents(audit, clock, new ReportedEvents.Limits(10, 20));

    private static Optional<SecurityEvent> denied(String path) {
        return Optional.of(SecurityEvent.of(Type.AUTHZ_DENIED, Instant.EPOCH, Map.of(Field.PATH, path,
                Field.CALLER, "spiffe://td/ns/web/sa/site", Field.POLICY, "models.no-admin", Field.RULE, "0")));
    }

    private static List<Optional<SecurityEvent>> batch(int n) {
        List<Optional<SecurityEvent>> batch = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            batch.add(denied("/" + i));
        }
        return batch;
    }

    @Test
    void anEventIsRecordedWithItsFieldsTheReporterAndAnOutcomeFromItsType() {
        ReportedEvents.Receipt receipt = events.record(PROXY, List.of(denied("/admin/x"),
                Optional.of(SecurityEvent.of(Type.AUTHZ_DRY_RUN, Instant.EPOCH, Map.of(Field.REASON, "would be deny")))));
        assertThat(receipt).isEqualTo(new ReportedEvents.Receipt(2, 0));
        AuditEvent first = log.get(0);
        assertThat(first.type()).isEqualTo("authz.denied");
        assertThat(first.outcome()).isEqualTo(AuditEvent.Outcome.DENIED);
        assertThat(first.time()).isEqualTo(now);
        assertThat(first.fields()).containsEntry("reporter", PROXY.toString()).containsEntry("path", "/admin/x")
                .containsEntry("policy", "models.no-admin").containsEntry("rule", "0")
                .containsEntry("event_time", "1970-01-01T00:00:00Z");
        assertThat(log.get(1).outcome()).isEqualTo(AuditEvent.Outcome.INFO);
    }

    @Test
    void aFloodingProxyIsHeldToItsRateAndTheRefusalsAreCountedInTheLog() {
        assertThat(events.record(PROXY, batch(50))).isEqualTo(new ReportedEvents.Receipt(20, 30));
        assertThat(events.record(OTHER, batch(5))).isEqualTo(new ReportedEvents.Receipt(5, 0)); // its own bucket
        assertThat(events.record(PROXY, batch(1))).isEqualTo(new ReportedEvents.Receipt(0, 1));
        assertThat(events.refused()).isEqualTo(31);
        assertThat(log).hasSize(25);

        now = now.plus(Duration.ofMillis(300)); // 3 events' worth
        assertThat(events.record(PROXY, batch(5))).isEqualTo(new ReportedEvents.Receipt(3, 2));
        AuditEvent summary = log.get(25);
        assertThat(summary.type()).isEqualTo("audit.refused");
        assertThat(summary.fields()).containsEntry("count", "31").containsEntry("reporter", PROXY.toString());
        assertThat(summary.fields().get("reason")).contains("10/s (burst 20)");
        assertThat(log).hasSize(29);
    }

    @Test
    void aBatchOverTheLimitAndAnUnknownTypeAreRefused() {
        ReportedEvents roomy = new ReportedEvents(audit, clock, new ReportedEvents.Limits(1000, 10_000));
        List<Optional<SecurityEvent>> batch = batch(ReportedEvents.MAX_BATCH + 4);
        batch.set(0, Optional.empty());
        assertThat(roomy.record(PROXY, batch)).isEqualTo(new ReportedEvents.Receipt(ReportedEvents.MAX_BATCH - 1, 5));
    }

    @Test
    void aFloodOfUnauthenticatedNoiseLeavesTheDecisionsBudgetWhole() {
        List<Optional<SecurityEvent>> noise = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            noise.add(Optional.of(SecurityEvent.of(Type.PEER_AUTHN_REFUSED, Instant.EPOCH, Map.of(Field.CALLER, "10.0.0." + i,
                    Field.REASON, "TLS handshake: certificate_required"))));
        }
        assertThat(events.record(PROXY, noise)).isEqualTo(new ReportedEvents.Receipt(20, 80));
        // the denials that come next have a budget of their own (burst 20)
        assertThat(events.record(PROXY, batch(20))).isEqualTo(new ReportedEvents.Receipt(20, 0));
        assertThat(log.stream().filter(e -> e.type().equals("authz.denied"))).hasSize(20);
        AuditEvent summary = log.stream().filter(e -> e.type().equals("audit.refused")).findFirst().orElseThrow();
        assertThat(summary.fields()).containsEntry("budget", "unauthenticated").containsEntry("count", "80");
        assertThat(summary.fields().get("reason")).contains("for unauthenticated events");
    }
}
