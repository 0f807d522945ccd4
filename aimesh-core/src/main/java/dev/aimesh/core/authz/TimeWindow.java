package dev.aimesh.core.authz;

import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * A value of the {@code request.time} key: a weekly schedule or a bound in time.
 * <ul>
 *   <li>{@code "01:00-05:00"}, {@code "Mon-Fri 09:00-17:30 Europe/Paris"}, {@code "Sat,Sun"}: days (default
 *       every day), a time of day range (start included, end excluded; may pass midnight, {@code 22:00-02:00};
 *       default the whole day) and a time zone (default UTC). Days are those of the start of the range.</li>
 *   <li>{@code "before 2027-01-01T00:00:00Z"}: a grant that expires; {@code "after 2026-12-24T18:00:00Z"}: one
 *       that has not started yet.</li>
 * </ul>
 */
public sealed interface TimeWindow {
    boolean contains(Instant instant);

    static TimeWindow parse(String text) {
        String[] words = text.trim().split("\\s+");
        if (words.length == 2 && (words[0].equals("before") || words[0].equals("after"))) {
            Instant bound;
            try {
                bound = Instant.parse(words[1]);
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("'" + words[1] + "' is not an instant (expected: e.g. 2027-01-01T00:00:00Z)");
            }
            return words[0].equals("before") ? new Before(bound) : new After(bound);
        }
        Set<DayOfWeek> days = EnumSet.allOf(DayOfWeek.class);
        LocalTime start = LocalTime.MIDNIGHT;
        LocalTime end = LocalTime.MIDNIGHT;
        ZoneId zone = ZoneOffset.UTC;
        boolean sawDays = false;
        boolean sawTimes = false;
        boolean sawZone = false;
        for (String word : words) {
            if (!sawDays && !sawTimes && !sawZone && Character.isLetter(word.charAt(0)) && isDays(word)) {
                days = days(word);
                sawDays = true;
            } else if (!sawTimes && !sawZone && Character.isDigit(word.charAt(0))) {
                int dash = word.indexOf('-');
                if (dash < 0) {
                    throw new IllegalArgumentException("'" + word + "' is not a time range (expected: HH:MM-HH:MM)");
                }
                start = time(word.substring(0, dash));
                end = time(word.substring(dash + 1));
                if (start.equals(end) && !word.endsWith("-24:00")) {
                    throw new IllegalArgumentException("'" + word + "' is an empty range");
                }
                sawTimes = true;
            } else if (!sawZone) {
                try {
                    zone = ZoneId.of(word);
                } catch (DateTimeException e) {
                    throw new IllegalArgumentException("'" + word + "' is not a time zone, days (Mon-Fri) or a time range"
                            + " (expected e.g. \"Mon-Fri 01:00-05:00 UTC\", \"before 2027-01-01T00:00:00Z\")");
                }
                sawZone = true;
            } else {
                throw new IllegalArgumentException("'" + text + "': expected days, then a time range, then a time zone");
            }
        }
        if (!sawDays && !sawTimes) {
            throw new IllegalArgumentException("'" + text + "' names no days and no time range");
        }
        return new Weekly(text, days, start, end, zone);
    }

    private static boolean isDays(String word) {
        try {
            days(word);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** {@code Mon-Fri}, {@code Sat,Sun}, {@code Mon,Wed-Fri}. */
    private static Set<DayOfWeek> days(String word) {
        Set<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
        for (String part : word.split(",")) {
            int dash = part.indexOf('-');
            DayOfWeek from = day(dash < 0 ? part : part.substring(0, dash));
            DayOfWeek to = dash < 0 ? from : day(part.substring(dash + 1));
            for (DayOfWeek d = from; ; d = d.plus(1)) {
                days.add(d);
                if (d == to) {
                    break;
                }
            }
        }
        return days;
    }

    private static DayOfWeek day(String name) {
        for (DayOfWeek d : DayOfWeek.values()) {
            String full = d.name().toLowerCase(Locale.ROOT);
            String given = name.toLowerCase(Locale.ROOT);
            if (given.length() >= 3 && full.startsWith(given)) {
                return d;
            }
        }
        throw new IllegalArgumentException("'" + name + "' is not a day of the week");
    }

    private static LocalTime time(String text) {
        if (text.equals("24:00")) {
            return LocalTime.MIDNIGHT;
        }
        try {
            if (!text.matches("[0-9]{2}:[0-9]{2}")) {
                throw new DateTimeParseException("", text, 0);
            }
            return LocalTime.parse(text);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("'" + text + "' is not a time of day (expected: HH:MM, 00:00 to 24:00)");
        }
    }

    record Before(Instant bound) implements TimeWindow {
        @Override
        public boolean contains(Instant instant) {
            return instant.isBefore(bound);
        }
    }

    record After(Instant bound) implements TimeWindow {
        @Override
        public boolean contains(Instant instant) {
            return !instant.isBefore(bound);
        }
    }

    record Weekly(String text, Set<DayOfWeek> days, LocalTime start, LocalTime end, ZoneId zone) implements TimeWindow {
        @Override
        public boolean contains(Instant instant) {
            ZonedDateTime local = instant.atZone(zone);
            LocalTime t = local.toLocalTime();
            boolean wraps = !end.isAfter(start); // 22:00-02:00, or the whole day when both are 00:00
            if (!wraps) {
                return days.contains(local.getDayOfWeek()) && !t.isBefore(start) && t.isBefore(end);
            }
            if (!t.isBefore(start)) {
                return days.contains(local.getDayOfWeek());
            }
            return t.isBefore(end) && days.contains(local.getDayOfWeek().minus(1)); // the range began yesterday
        }
    }
}
