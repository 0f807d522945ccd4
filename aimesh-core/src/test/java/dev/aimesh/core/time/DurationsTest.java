package dev.aimesh.core.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {
    @ParameterizedTest
    @CsvSource({"90s,PT1M30S", "10m,PT10M", "1h30m,PT1H30M", "500ms,PT0.5S", "2d,PT48H", "0s,PT0S", "0,PT0S"})
    void parsesGoStyleDurations(String text, String iso) {
        assertThat(Durations.parse(text)).isEqualTo(Duration.parse(iso));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "10", "00", "m", "10x", "1.5h", "-1h", "1h 30m", "99999999999999s"})
    void rejectsOthersSayingWhatIsExpected(String text) {
        assertThatThrownBy(() -> Durations.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected");
    }

    @ParameterizedTest
    @ValueSource(strings = {"1h30m", "10s", "1h", "2m3s", "250ms", "49h"})
    void formatReadsBack(String text) {
        assertThat(Durations.format(Durations.parse(text))).isEqualTo(text);
    }
}
