package dev.aimesh.core.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RestartGraceTest {
    private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
    private static final Duration GRACE = Duration.ofSeconds(30);
    private static final Map<String, List<String>> BEFORE = Map.of(
            "models/model", List.of("127.0.0.1:4001"), "apps/app", List.of("127.0.0.1:4002"));

    @Test
    void aWorkloadWhoseProxyHasNotRejoinedKeepsItsEndpointsDuringTheGrace() {
        RestartGrace grace = new RestartGrace(BEFORE, START, GRACE);

        // a caller's proxy rejoins first: the model still has its endpoint
        Map<String, List<String>> served = grace.serve(Map.of("apps/app", List.of("127.0.0.1:4002")), START.plusSeconds(1));

        assertThat(served).isEqualTo(BEFORE);
        assertThat(grace.active(START.plusSeconds(1))).isTrue();
    }

    @Test
    void aRejoinedWorkloadIsServedWhereItsProxyIsNow() {
        RestartGrace grace = new RestartGrace(BEFORE, START, GRACE);

        Map<String, List<String>> served = grace.serve(Map.of("models/model", List.of("127.0.0.1:5001")), START.plusSeconds(1));

        assertThat(served).containsEntry("models/model", List.of("127.0.0.1:5001"))
                .containsEntry("apps/app", List.of("127.0.0.1:4002"));
    }

    @Test
    void aProxyThatLeavesAfterRejoiningIsRemovedAtOnceEvenDuringTheGrace() {
        RestartGrace grace = new RestartGrace(BEFORE, START, GRACE);
        grace.serve(Map.of("models/model", List.of("127.0.0.1:4001")), START.plusSeconds(1));

        Map<String, List<String>> served = grace.serve(Map.of(), START.plusSeconds(2));

        assertThat(served).doesNotContainKey("models/model").containsKey("apps/app");
    }

    @Test
    void aProxyThatNeverRejoinsIsRemovedWhenTheGraceEnds() {
        RestartGrace grace = new RestartGrace(BEFORE, START, GRACE);

        assertThat(grace.serve(Map.of(), START.plus(GRACE).minusMillis(1))).isEqualTo(BEFORE);
        assertThat(grace.serve(Map.of(), START.plus(GRACE))).isEmpty();
        assertThat(grace.active(START.plus(GRACE))).isFalse();
    }

    @Test
    void theGraceIsOverOnceEveryRememberedWorkloadHasRejoined() {
        RestartGrace grace = new RestartGrace(BEFORE, START, GRACE);
        grace.serve(Map.of("models/model", List.of("127.0.0.1:4001"), "apps/app", List.of("127.0.0.1:4002")),
                START.plusSeconds(1));

        assertThat(grace.active(START.plusSeconds(1))).isFalse();
    }

    @Test
    void nothingRememberedServesTheConnectedProxiesOnly() {
        RestartGrace grace = RestartGrace.none(START);
        Map<String, List<String>> connected = Map.of("apps/app", List.of("127.0.0.1:4002"));

        assertThat(grace.serve(connected, START)).isEqualTo(connected);
        assertThat(grace.active(START)).isFalse();
    }
}
