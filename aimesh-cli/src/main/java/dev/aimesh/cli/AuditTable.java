package dev.aimesh.cli;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The entries of an audit log as {@code aimesh audit show} prints them: filtered by type, outcome and time,
 * one line each with the facts people look for first. Values come from proxies and callers, so control
 * characters are escaped rather than sent to the terminal.
 */
final class AuditTable {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The chain's own fields: shown by {@code audit verify}, not here. */
    private static final List<String> CHAIN = List.of("seq", "time", "type", "outcome", "prev", "hash");
    /** Shown first, in this order; any other field follows by name. */
    private static final List<String> FIRST = List.of("caller", "policy", "rule", "model", "destination", "reporter", "count",
            "reason");

    /** Which entries to show; an empty part matches every entry. A type matches itself and its sub-types. */
    record Filter(Optional<String> type, Optional<String> outcome, Optional<Instant> since) {
        boolean matches(JsonNode entry) {
            String entryType = entry.path("type").asText();
            return type.map(t -> entryType.equals(t) || entryType.startsWith(t + ".")).orElse(true)
                    && outcome.map(o -> entry.path("outcome").asText().equals(o)).orElse(true)
                    && since.map(s -> !time(entry).isBefore(s)).orElse(true);
        }

        private static Instant time(JsonNode entry) {
            try {
                return Instant.parse(entry.path("time").asText());
            } catch (DateTimeParseException e) {
                return Instant.MIN;
            }
        }
    }

    /** One line of the file that is not an entry. */
    static final class Unreadable extends Exception {
        private static final long serialVersionUID = 1L;

        Unreadable(int line, String why) {
            super("line " + line + " is not an audit entry: " + why);
        }
    }

    private AuditTable() {}

    /** The lines of a log that match, as they are stored. */
    static List<String> select(List<String> lines, Filter filter) throws Unreadable {
        List<String> selected = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).isBlank() && filter.matches(parse(lines.get(i), i + 1))) {
                selected.add(lines.get(i));
            }
        }
        return selected;
    }

    /** A table of stored lines (already selected): a header, then one row per entry. */
    static String format(List<String> lines) throws Unreadable {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"SEQ", "TIME", "TYPE", "OUTCOME", "DETAILS"});
        for (int i = 0; i < lines.size(); i++) {
            JsonNode entry = parse(lines.get(i), i + 1);
            rows.add(new String[] {entry.path("seq").asText(), entry.path("time").asText(), entry.path("type").asText(),
                    entry.path("outcome").asText(), details(entry)});
        }
        int[] widths = new int[4];
        for (String[] row : rows) {
            for (int c = 0; c < widths.length; c++) {
                widths[c] = Math.max(widths[c], row[c].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (String[] row : rows) {
            for (int c = 0; c < widths.length; c++) {
                out.append(row[c]).append(" ".repeat(widths[c] - row[c].length() + 2));
            }
            out.append(row[4].isEmpty() ? "" : row[4]).append('\n');
        }
        return out.toString().replaceAll(" +\n", "\n");
    }

    private static String details(JsonNode entry) {
        Map<String, String> fields = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = entry.properties().iterator(); it.hasNext();) {
            Map.Entry<String, JsonNode> field = it.next();
            if (!CHAIN.contains(field.getKey())) {
                fields.put(field.getKey(), field.getValue().asText());
            }
        }
        List<String> parts = new ArrayList<>();
        String method = fields.remove("method");
        String path = fields.remove("path");
        if (method != null || path != null) {
            parts.add(clean((method == null ? "" : method + " ") + (path == null ? "" : path)));
        }
        for (String key : FIRST) {
            String value = fields.remove(key);
            if (value != null) {
                parts.add(key + "=" + quoted(value));
            }
        }
        fields.forEach((key, value) -> parts.add(key + "=" + quoted(value)));
        return String.join(" ", parts);
    }

    private static String quoted(String value) {
        String clean = clean(value);
        return clean.isEmpty() || clean.contains(" ") || clean.contains("\"") ? "\"" + clean.replace("\"", "\\\"") + "\"" : clean;
    }

    /** Control characters (an escape sequence in a path or a reason) as \\uXXXX. */
    private static String clean(String value) {
        StringBuilder out = new StringBuilder(value.length());
        value.codePoints().forEach(c -> {
            if (Character.isISOControl(c) || c == 0x2028 || c == 0x2029) {
                out.append(String.format("\\u%04x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.toString();
    }

    private static JsonNode parse(String line, int number) throws Unreadable {
        try {
            JsonNode entry = JSON.readTree(line);
            if (entry == null || !entry.isObject() || !entry.has("type")) {
                throw new Unreadable(number, "no JSON object with a type");
            }
            return entry;
        } catch (JsonProcessingException e) {
            throw new Unreadable(number, e.getOriginalMessage());
        }
    }
}
