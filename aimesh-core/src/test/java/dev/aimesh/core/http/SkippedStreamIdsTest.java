package dev.aimesh.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SkippedStreamIdsTest {
    private final SkippedStreamIds ids = new SkippedStreamIds();

    @Test
    void aClientOpeningStreamsInSequenceSkipsNothing() {
        ids.opened(1);
        ids.opened(3);
        ids.opened(5);

        assertThat(ids.skipped(1)).isFalse();
        assertThat(ids.skipped(3)).isFalse();
        assertThat(ids.skipped(5)).isFalse();
    }

    @Test
    void theIdsBetweenTwoOpenedStreamsAreSkipped() {
        ids.opened(1);
        ids.opened(7);

        assertThat(ids.skipped(3)).isTrue();
        assertThat(ids.skipped(5)).isTrue();
        assertThat(ids.skipped(1)).isFalse();
        assertThat(ids.skipped(7)).isFalse();
        assertThat(ids.skipped(9)).as("not opened yet, but not skipped either").isFalse();
    }

    @Test
    void aFirstStreamAboveOneSkipsTheIdsBelowIt() {
        ids.opened(5);

        assertThat(ids.skipped(1)).isTrue();
        assertThat(ids.skipped(3)).isTrue();
        assertThat(ids.skipped(5)).isFalse();
    }

    @Test
    void onlyTheNewestGapsAreRemembered() {
        int id = 1;
        ids.opened(id);
        for (int i = 0; i <= SkippedStreamIds.MAX_GAPS; i++) {
            id += 4; // skips id - 2 each time
            ids.opened(id);
        }

        assertThat(ids.skipped(3)).as("the oldest gap is forgotten").isFalse();
        assertThat(ids.skipped(id - 2)).isTrue();
    }
}
