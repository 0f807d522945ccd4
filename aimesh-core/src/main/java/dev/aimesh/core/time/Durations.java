package dev.aimesh.core.time;

import java.time.Duration;

/** Durations written as Istio and Go do: {@code 90s}, {@code 1h30m}, {@code 500ms}, {@code 24h}. */
public final class Durations {
    private Durations() {}

    /** Parses a duration; the message of the exception says what was expected. */
    public static Duration parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("empty duration (expected: e.g. 90s, 10m, 1h30m)");
        }
        if (text.equals("0")) { // no unit needed for nothing, as Go's time.ParseDuration reads it
            return Duration.ZERO;
        }
        Duration total = Duration.ZERO;
        int i = 0;
        while (i < text.length()) {
            int digitsStart = i;
            while (i < text.length() && Character.isDigit(text.charAt(i))) {
                i++;
            }
            if (i == digitsStart || i - digitsStart > 12) {
                throw invalid(text);
            }
            long amount = Long.parseLong(text, digitsStart, i, 10);
            int unitStart = i;
            while (i < text.length() && Character.isLetter(text.charAt(i))) {
                i++;
            }
            total = total.plus(switch (text.substring(unitStart, i)) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                case "d" -> Duration.ofDays(amount);
                default -> throw invalid(text);
            });
        }
        return total;
    }

    /** The shortest form {@link #parse} reads back, e.g. {@code 1h30m}. */
    public static String format(Duration d) {
        if (d.isZero()) {
            return "0s";
        }
        StringBuilder sb = new StringBuilder();
        long hours = d.toHours();
        if (hours > 0) {
            sb.append(hours).append('h');
        }
        if (d.toMinutesPart() > 0) {
            sb.append(d.toMinutesPart()).append('m');
        }
        if (d.toSecondsPart() > 0) {
            sb.append(d.toSecondsPart()).append('s');
        }
        if (d.toMillisPart() > 0) {
            sb.append(d.toMillisPart()).append("ms");
        }
        return sb.toString();
    }

    private static IllegalArgumentException invalid(String text) {
        return new IllegalArgumentException("'" + text + "' is not a duration (expected: a number and a unit"
                + " ms, s, m, h or d, e.g. 90s, 10m, 1h30m)");
    }
}
