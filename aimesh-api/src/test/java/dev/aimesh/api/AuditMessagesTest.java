package dev.aimesh.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import dev.aimesh.core.audit.SecurityEvent;
import dev.aimesh.core.audit.SecurityEvent.Field;
import dev.aimesh.core.audit.SecurityEvent.Type;

class AuditMessagesTest {
    @Test
    void eventsSurviveTheWire() {
        SecurityEvent denied = SecurityEvent.of(Type.AUTHZ_DENIED, Instant.ofEpochMilli(1_700_000_000_123L), Map.of(
                Field.METHOD, "GET", Field.PATH, "/admin/../x", Field.CALLER, "spiffe://td/ns/a/sa/b", Field.POLICY, "models.deny",
                Field.RULE, "0", Field.REASON, "denied by DENY policy models.deny, rule 0", Field.MODEL, "m",
                Field.DESTINATION, "models/model"));
        SecurityEvent dropped = SecurityEvent.dropped(Instant.EPOCH, 12);
        var batch = AuditMessages.toProto(List.of(denied, dropped));
        assertThat(batch.getEvents(0).getType()).isEqualTo("authz.denied");
        assertThat(batch.getEvents(1).getCount()).isEqualTo(12);
        assertThat(AuditMessages.fromProto(batch)).containsExactly(java.util.Optional.of(denied), java.util.Optional.of(dropped));
    }

    @Test
    void anUnknownTypeIsNoEventAndLongValuesAreCut() {
        var unknown = dev.aimesh.api.v1.SecurityEvent.newBuilder().setType("svid.issued").build();
        assertThat(AuditMessages.fromProto(unknown)).isEmpty();
        var longPath = dev.aimesh.api.v1.SecurityEvent.newBuilder().setType("request.refused").setPath("/" + "p".repeat(5000)).build();
        assertThat(AuditMessages.fromProto(longPath).orElseThrow().field(Field.PATH).orElseThrow())
                .hasSize(SecurityEvent.MAX_FIELD_CHARS);
    }
}
