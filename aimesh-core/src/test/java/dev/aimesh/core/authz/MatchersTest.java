package dev.aimesh.core.authz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class MatchersTest {
    @ParameterizedTest(name = "{0} vs {1}: {2}")
    @CsvSource({
            "abc, abc, true", "abc, abcd, false", "abc*, abcd, true", "abc*, ab, false", "*cd, abcd, true",
            "*cd, abc, false", "'*', x, true", "'*', '', false"})
    void stringMatches(String pattern, String value, boolean expected) {
        assertThat(StringMatch.parse(pattern).matches(value)).isEqualTo(expected);
    }

    @Test
    void hostsIgnoreCase() {
        assertThat(StringMatch.parseIgnoringCase("LLM.example*").matches("llm.EXAMPLE:443")).isTrue();
        assertThat(StringMatch.parse("LLM.example").matches("llm.example")).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"a*b", "*a*", "**", ""})
    void refusesStarsInTheMiddle(String pattern) {
        assertThatThrownBy(() -> StringMatch.parse(pattern)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest(name = "{0} vs {1}: {2}")
    @CsvSource({
            "/v2/models/{*}/infer, /v2/models/bert/infer, true",
            "/v2/models/{*}/infer, /v2/models//infer, false",
            "/v2/models/{*}/infer, /v2/models/a/b/infer, false",
            "/files/{**}, /files/a/b/c, true",
            "/files/{**}, /files/, true",
            "/files/{**}, /files, false",
            "/{*}/admin, /x/admin, true",
            "/api/*, /api/v1, true",
            "*/unload, /v2/repository/models/x/unload, true"})
    void pathTemplates(String pattern, String path, boolean expected) {
        assertThat(PathMatch.parse(pattern).matches(path)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "/a/{**}/b|may only be the last segment",
            "/a{*}|must be a whole segment",
            "/a/{x}|must be a whole segment",
            "/a/{*}/*|mixes a template",
            "v1/chat|must start with '/'"})
    void refusesBadTemplates(String pattern, String message) {
        assertThatThrownBy(() -> PathMatch.parse(pattern)).hasMessageContaining(message);
    }

    @Test
    void ipBlocks() {
        IpBlock block = IpBlock.parse("10.1.0.0/16");
        assertThat(block.contains(IpBlock.literal("10.1.200.3").orElseThrow())).isTrue();
        assertThat(block.contains(IpBlock.literal("10.2.0.1").orElseThrow())).isFalse();
        assertThat(block.contains(IpBlock.literal("::ffff:10.1.0.9").orElseThrow())).isTrue();
        assertThat(block.contains(null)).isFalse();
        assertThat(IpBlock.parse("2001:db8::/32").contains(IpBlock.literal("2001:db8:1::1").orElseThrow())).isTrue();
        assertThat(IpBlock.parse("2001:db8::/32").contains(IpBlock.literal("10.1.0.9").orElseThrow())).isFalse();
        assertThat(IpBlock.parse("0.0.0.0/0").contains(IpBlock.literal("8.8.8.8").orElseThrow())).isTrue();
        assertThat(IpBlock.parse("192.168.1.7").contains(IpBlock.literal("192.168.1.8").orElseThrow())).isFalse();
        assertThat(IpBlock.literal("::1").orElseThrow()).containsExactly(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1);
        assertThat(IpBlock.literal("[fe80::1:2]").orElseThrow())
                .containsExactly(0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 2);
        assertThat(IpBlock.literal("1:2:3:4:5:6:7:8").orElseThrow()).hasSize(16);
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.0/33", "localhost", "10.0.0", "10.0.0.0/x", "example.org/8", "::1/129", "010.0.0.1",
            "1.2.3.256", "1::2::3", "1:2:3:4:5:6:7:8:9", "12345::", "::ffff:1.2.3", "1.2.3.4.5"})
    void refusesWhatIsNotACidr(String text) {
        assertThatThrownBy(() -> IpBlock.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest(name = "{0} at {1}: {2}")
    @CsvSource({
            "01:00-05:00, 2026-12-02T01:00:00Z, true",
            "01:00-05:00, 2026-12-02T04:59:59Z, true",
            "01:00-05:00, 2026-12-02T05:00:00Z, false",
            "22:00-02:00, 2026-12-02T23:00:00Z, true",
            "22:00-02:00, 2026-12-02T01:00:00Z, true",
            "22:00-02:00, 2026-12-02T03:00:00Z, false",
            "Sat-Sun 22:00-02:00, 2026-12-06T01:00:00Z, true",
            "Sat-Sun 22:00-02:00, 2026-12-07T01:00:00Z, true",
            "Sat-Sun 22:00-02:00, 2026-12-08T01:00:00Z, false",
            "'Mon,Wed', 2026-12-02T12:00:00Z, true",
            "Mon-Fri 09:00-17:00 America/New_York, 2026-12-02T14:30:00Z, true",
            "Mon-Fri 09:00-17:00 America/New_York, 2026-12-02T13:30:00Z, false",
            "00:00-24:00, 2026-12-02T13:30:00Z, true",
            "before 2027-01-01T00:00:00Z, 2026-12-31T23:59:59Z, true",
            "before 2027-01-01T00:00:00Z, 2027-01-01T00:00:00Z, false",
            "after 2027-01-01T00:00:00Z, 2027-01-01T00:00:00Z, true"})
    void timeWindows(String window, String at, boolean expected) {
        assertThat(TimeWindow.parse(window).contains(Instant.parse(at))).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "25:00-26:00|not a time of day",
            "1:00-5:00|not a time of day",
            "05:00-05:00|empty range",
            "Mon-Fri 01:00-05:00 Mars/Olympus|not a time zone",
            "before tomorrow|not an instant",
            "Funday|not a time zone, days",
            "05:00|not a time range"})
    void refusesBadWindows(String window, String message) {
        assertThatThrownBy(() -> TimeWindow.parse(window)).hasMessageContaining(message);
    }
}
