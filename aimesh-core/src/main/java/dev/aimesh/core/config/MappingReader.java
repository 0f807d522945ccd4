package dev.aimesh.core.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import dev.aimesh.core.time.Durations;

/**
 * Reads the fields of one YAML mapping, recording a diagnostic (with position and field path) for every
 * wrong value instead of stopping at the first. {@link #finish()} reports the fields nobody read as
 * unknown, so a typo is an error rather than a silently ignored setting.
 */
public final class MappingReader {
    private final YamlNode.Mapping node;
    private final String path;
    private final Diagnostics diagnostics;
    private final Set<String> read = new HashSet<>();

    private MappingReader(YamlNode.Mapping node, String path, Diagnostics diagnostics) {
        this.node = node;
        this.path = path;
        this.diagnostics = diagnostics;
    }

    /** A reader over {@code node}, or empty (with a diagnostic) when it is not a mapping. */
    public static Optional<MappingReader> of(YamlNode node, String path, Diagnostics diagnostics) {
        if (node instanceof YamlNode.Mapping m) {
            return Optional.of(new MappingReader(m, path, diagnostics));
        }
        if (node instanceof YamlNode.Scalar s && s.isNull()) {
            return Optional.of(new MappingReader(new YamlNode.Mapping(s.position(), Map.of(), Map.of()), path, diagnostics));
        }
        diagnostics.error(node.position(), path, "expected a mapping, found " + node.describe());
        return Optional.empty();
    }

    public Position position() {
        return node.position();
    }

    public String path() {
        return path;
    }

    public Diagnostics diagnostics() {
        return diagnostics;
    }

    public String fieldPath(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    public boolean has(String key) {
        YamlNode value = node.entries().get(key);
        return value != null && !(value instanceof YamlNode.Scalar s && s.isNull());
    }

    /** The raw node of a field, marking it read. */
    public Optional<YamlNode> node(String key) {
        read.add(key);
        YamlNode value = node.entries().get(key);
        if (value == null || (value instanceof YamlNode.Scalar s && s.isNull())) {
            return Optional.empty();
        }
        return Optional.of(value);
    }

    public Optional<String> string(String key) {
        return node(key).flatMap(v -> scalar(v, fieldPath(key)));
    }

    /** A required string; records "is required" and returns empty when missing. */
    public Optional<String> requiredString(String key) {
        if (!has(key)) {
            read.add(key);
            diagnostics.error(node.keyPositions().getOrDefault(key, node.position()), fieldPath(key), "is required");
            return Optional.empty();
        }
        return string(key);
    }

    /** A string converted by {@code parser}; an {@link IllegalArgumentException}'s message becomes the diagnostic. */
    public <T> Optional<T> value(String key, Function<String, T> parser) {
        Optional<YamlNode> raw = node(key);
        return raw.flatMap(v -> convert(v, fieldPath(key), parser));
    }

    public <T> Optional<T> convert(YamlNode value, String field, Function<String, T> parser) {
        return scalar(value, field).flatMap(text -> {
            try {
                return Optional.of(parser.apply(text));
            } catch (IllegalArgumentException e) {
                diagnostics.error(value.position(), field, e.getMessage());
                return Optional.empty();
            }
        });
    }

    public Optional<Duration> duration(String key, Duration min, Duration max) {
        return value(key, text -> {
            Duration d = Durations.parse(text);
            if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
                throw new IllegalArgumentException("'" + text + "' is out of range (expected: "
                        + Durations.format(min) + " to " + Durations.format(max) + ")");
            }
            return d;
        });
    }

    public Optional<Integer> integer(String key, int min, int max) {
        return value(key, text -> {
            int n;
            try {
                n = Integer.parseInt(text);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + text + "' is not a whole number");
            }
            if (n < min || n > max) {
                throw new IllegalArgumentException(n + " is out of range (expected: " + min + " to " + max + ")");
            }
            return n;
        });
    }

    /** A size in bytes ({@link ByteSizes}) within {@code min..max}. */
    public Optional<Long> size(String key, long min, long max) {
        return value(key, text -> {
            long n = ByteSizes.parse(text);
            if (n < min || n > max) {
                throw new IllegalArgumentException("'" + text + "' is out of range (expected: " + ByteSizes.format(min)
                        + " to " + ByteSizes.format(max) + ")");
            }
            return n;
        });
    }

    public Optional<Boolean> bool(String key) {
        return value(key, text -> switch (text) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("'" + text + "' is not true or false");
        });
    }

    public Optional<MappingReader> mapping(String key) {
        return node(key).flatMap(v -> of(v, fieldPath(key), diagnostics));
    }

    /** The keys of this mapping, in file order, for mappings whose keys are data (ports, labels). */
    public List<String> keys() {
        return List.copyOf(node.keyPositions().keySet());
    }

    /** A mapping of strings to strings, such as labels. */
    public Map<String, String> stringMap(String key) {
        Map<String, String> result = new LinkedHashMap<>();
        mapping(key).ifPresent(m -> {
            for (String k : m.node.entries().keySet()) {
                m.string(k).ifPresent(v -> result.put(k, v));
            }
        });
        return result;
    }

    /** The items of a list field, each with its field path ({@code spec.ports[2]}). */
    public List<Item> list(String key) {
        Optional<YamlNode> raw = node(key);
        if (raw.isEmpty()) {
            return List.of();
        }
        if (!(raw.get() instanceof YamlNode.Sequence seq)) {
            diagnostics.error(raw.get().position(), fieldPath(key), "expected a list, found " + raw.get().describe());
            return List.of();
        }
        List<Item> items = new ArrayList<>(seq.items().size());
        for (int i = 0; i < seq.items().size(); i++) {
            items.add(new Item(seq.items().get(i), fieldPath(key) + "[" + i + "]"));
        }
        return items;
    }

    /** A list of strings. */
    public List<String> stringList(String key) {
        List<String> result = new ArrayList<>();
        for (Item item : list(key)) {
            scalar(item.node(), item.path()).ifPresent(result::add);
        }
        return result;
    }

    /** Records a diagnostic at a field of this mapping (at its key, or at the mapping when absent). */
    public void error(String key, String message) {
        YamlNode value = node.entries().get(key);
        Position where = value != null ? value.position() : node.position();
        diagnostics.error(where, fieldPath(key), message);
    }

    /** Reports every field that no one read as unknown. */
    public void finish() {
        for (Map.Entry<String, Position> key : node.keyPositions().entrySet()) {
            if (!read.contains(key.getKey())) {
                diagnostics.error(key.getValue(), fieldPath(key.getKey()), "unknown field");
            }
        }
    }

    private Optional<String> scalar(YamlNode value, String field) {
        if (value instanceof YamlNode.Scalar s && !s.isNull()) {
            return Optional.of(s.value());
        }
        diagnostics.error(value.position(), field, "expected a single value, found " + value.describe());
        return Optional.empty();
    }

    /** One element of a list, with its path for diagnostics. */
    public record Item(YamlNode node, String path) {
        public Optional<MappingReader> mapping(Diagnostics diagnostics) {
            return MappingReader.of(node, path, diagnostics);
        }
    }
}
