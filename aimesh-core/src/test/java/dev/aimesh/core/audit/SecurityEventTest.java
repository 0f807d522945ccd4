package dev.aimesh.core.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import dev.aimesh.core.audit.SecurityEvent.Field;
import dev.aimesh.core.audit.SecurityEvent.Type;

class SecurityEventTest {
    @Test
    void aLongValueIsCutAndEmptyOnesAreLeftOut() {
        SecurityEvent event = SecurityEvent.of(Type.REQUEST_REFUSED, Instant.EPOCH,
                Map.of(Field.PATH, "/" + "a".repeat(10_000), Field.MODEL, ""));
        assertThat(event.field(Field.PATH).orElseThrow()).hasSize(SecurityEvent.MAX_FIELD_CHARS).endsWith(SecurityEvent.CUT);
        assertThat(event.fields()).containsOnlyKeys(Field.PATH);
    }

    @Test
    void typesAreKnownByTheirCodeOnly() {
        assertThat(Type.of("authz.denied")).contains(Type.AUTHZ_DENIED);
        assertThat(Type.of("svid.issued")).isEmpty();
        assertThat(Type.AUTHZ_DENIED.refusal).isTrue();
        assertThat(Type.AUTHZ_DRY_RUN.refusal).isFalse();
        assertThat(SecurityEvent.dropped(Instant.EPOCH, 7).field(Field.COUNT)).contains("7");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> SecurityEvent.of(Type.AUDIT_DROPPED, Instant.EPOCH,
                Map.of(Field.COUNT, "many"))).hasMessageContaining("count: 'many' (expected: a number)");
    }
}
