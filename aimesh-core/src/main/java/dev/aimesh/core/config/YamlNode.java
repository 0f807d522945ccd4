package dev.aimesh.core.config;

import java.util.List;
import java.util.Map;

/** A YAML value with the position it was read from, so every error can point at the file and line. */
public sealed interface YamlNode {
    Position position();

    /** What a person would call this kind of value, for error messages. */
    String describe();

    record Scalar(Position position, String value, boolean quoted, boolean isNull) implements YamlNode {
        @Override
        public String describe() {
            return isNull ? "null" : "'" + value + "'";
        }
    }

    record Sequence(Position position, List<YamlNode> items) implements YamlNode {
        public Sequence {
            items = List.copyOf(items);
        }

        @Override
        public String describe() {
            return "a list";
        }
    }

    /** A mapping; keys keep file order, and each key remembers where it was written. */
    record Mapping(Position position, Map<String, YamlNode> entries, Map<String, Position> keyPositions)
            implements YamlNode {
        @Override
        public String describe() {
            return "a mapping";
        }
    }
}
