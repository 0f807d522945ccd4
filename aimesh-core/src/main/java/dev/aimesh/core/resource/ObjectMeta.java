package dev.aimesh.core.resource;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/** The {@code metadata} of a resource. */
public record ObjectMeta(String name, String namespace, Map<String, String> labels, Map<String, String> annotations) {
    public static final String DEFAULT_NAMESPACE = "default";

    public ObjectMeta {
        requireNonNull(name, "name");
        requireNonNull(namespace, "namespace");
        labels = Map.copyOf(labels);
        annotations = Map.copyOf(annotations);
    }

    public static ObjectMeta of(String name, String namespace) {
        return new ObjectMeta(name, namespace, Map.of(), Map.of());
    }
}
