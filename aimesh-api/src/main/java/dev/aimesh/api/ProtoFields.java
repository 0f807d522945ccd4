package dev.aimesh.api;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import dev.aimesh.api.v1.Labels;
import dev.aimesh.api.v1.ObjectMeta;
import dev.aimesh.api.v1.Position;
import dev.aimesh.core.authz.StringMatch;

/** The pieces every resource message shares (metadata, position, selectors, durations, string matches). */
final class ProtoFields {
    private ProtoFields() {}

    static ObjectMeta metadata(dev.aimesh.core.resource.ObjectMeta meta) {
        return ObjectMeta.newBuilder().setName(meta.name()).setNamespace(meta.namespace()).putAllLabels(meta.labels())
                .putAllAnnotations(meta.annotations()).build();
    }

    static dev.aimesh.core.resource.ObjectMeta metadata(ObjectMeta meta) {
        if (meta.getName().isEmpty()) {
            throw new IllegalArgumentException("metadata.name: empty (expected: the resource's name)");
        }
        return new dev.aimesh.core.resource.ObjectMeta(meta.getName(), meta.getNamespace(), meta.getLabelsMap(),
                meta.getAnnotationsMap());
    }

    static Position position(dev.aimesh.core.config.Position position) {
        return Position.newBuilder().setFile(position.file()).setLine(position.line()).setColumn(position.column()).build();
    }

    static dev.aimesh.core.config.Position position(Position position) {
        return new dev.aimesh.core.config.Position(position.getFile(), position.getLine(), position.getColumn());
    }

    static Labels labels(Map<String, String> labels) {
        return Labels.newBuilder().putAllMatchLabels(labels).build();
    }

    static Optional<Map<String, String>> selector(boolean present, Labels labels) {
        return present ? Optional.of(labels.getMatchLabelsMap()) : Optional.empty();
    }

    static com.google.protobuf.Duration duration(Duration duration) {
        return com.google.protobuf.Duration.newBuilder().setSeconds(duration.getSeconds()).setNanos(duration.getNano()).build();
    }

    static Duration duration(com.google.protobuf.Duration duration) {
        return Duration.ofSeconds(duration.getSeconds(), duration.getNanos());
    }

    static dev.aimesh.api.v1.StringMatch match(StringMatch match) {
        boolean ignoreCase = switch (match) {
            case StringMatch.Exact e -> e.ignoreCase();
            case StringMatch.Prefix p -> p.ignoreCase();
            case StringMatch.Suffix s -> s.ignoreCase();
            case StringMatch.Present p -> false;
        };
        return dev.aimesh.api.v1.StringMatch.newBuilder().setPattern(match.pattern()).setIgnoreCase(ignoreCase).build();
    }

    static StringMatch match(dev.aimesh.api.v1.StringMatch match) {
        return match.getIgnoreCase() ? StringMatch.parseIgnoringCase(match.getPattern()) : StringMatch.parse(match.getPattern());
    }

    /** An enum value this build does not know: sent by a newer control plane. */
    static IllegalArgumentException unknown(String field, int number, String expected) {
        return new IllegalArgumentException(field + ": " + number + " is not a value this proxy knows (expected: " + expected
                + "); is the control plane newer than the proxy?");
    }
}
