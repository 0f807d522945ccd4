package dev.aimesh.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AuditTableTest {
    private static final String ISSUED = "{\"seq\":1,\"time\":\"2026-01-01T09:00:00Z\",\"type\":\"svid.issued\",\"outcome\":\"allowed\","
            + "\"spiffe_id\":\"spiffe://td/ns/models/sa/llm\",\"prev\":\"00\",\"hash\":\"aa\"}";
    private static final String DENIED = "{\"seq\":2,\"time\":\"2026-01-01T10:00:00Z\",\"type\":\"authz.denied\",\"outcome\":\"denied\","
            + "\"caller\":\"spiffe://td/ns/web/sa/site\",\"method\":\"GET\",\"path\":\"/admin/\\u001b[2Jx\",\"policy\":\"models/no-admin\","
            + "\"reason\":\"denied by DENY policy models/no-admin, rule 0\",\"reporter\":\"spiffe://td/ns/models/sa/llm\","
            + "\"rule\":\"0\",\"prev\":\"aa\",\"hash\":\"bb\"}";
    private static final String DRY_RUN = "{\"seq\":3,\"time\":\"2026-01-01T11:00:00Z\",\"type\":\"authz.dry-run\",\"outcome\":\"info\","
            + "\"prev\":\"bb\",\"hash\":\"cc\"}";
    private static final List<String> LOG = List.of(ISSUED, DENIED, DRY_RUN);

    private static AuditTable.Filter filter(String type, String outcome, Instant since) {
        return new AuditTable.Filter(Optional.ofNullable(type), Optional.ofNullable(outcome), Optional.ofNullable(since));
    }

    @Test
    void entriesAreChosenByTypeAndItsSubTypesByOutcomeAndByTime() throws Exception {
        assertThat(AuditTable.select(LOG, filter(null, null, null))).isEqualTo(LOG);
        assertThat(AuditTable.select(LOG, filter("authz", null, null))).containsExactly(DENIED, DRY_RUN);
        assertThat(AuditTable.select(LOG, filter("authz.denied", null, null))).containsExactly(DENIED);
        assertThat(AuditTable.select(LOG, filter("auth", null, null))).isEmpty();
        assertThat(AuditTable.select(LOG, filter(null, "denied", null))).containsExactly(DENIED);
        assertThat(AuditTable.select(LOG, filter(null, null, Instant.parse("2026-01-01T10:00:00Z")))).containsExactly(DENIED, DRY_RUN);
    }

    @Test
    void aRowShowsTheRequestThenTheFactsAndNeverAControlCharacter() throws Exception {
        String table = AuditTable.format(List.of(ISSUED, DENIED));
        List<String> rows = table.lines().toList();
        assertThat(rows).hasSize(3);
        assertThat(rows.get(0)).startsWith("SEQ  TIME                  TYPE          OUTCOME  DETAILS");
        assertThat(rows.get(2)).isEqualTo("2    2026-01-01T10:00:00Z  authz.denied  denied   GET /admin/\\u001b[2Jx"
                + " caller=spiffe://td/ns/web/sa/site policy=models/no-admin rule=0 reporter=spiffe://td/ns/models/sa/llm"
                + " reason=\"denied by DENY policy models/no-admin, rule 0\"");
        assertThat(rows.get(1)).endsWith("allowed  spiffe_id=spiffe://td/ns/models/sa/llm");
        assertThat(table).doesNotContain("\u001b").doesNotContain("hash=");
    }

    @Test
    void aLineThatIsNoEntryIsNamed() {
        assertThatThrownBy(() -> AuditTable.select(List.of(ISSUED, "{not json"), filter(null, null, null)))
                .hasMessageStartingWith("line 2 is not an audit entry");
    }
}
