package dev.aimesh.core.registry;

import static java.util.Objects.requireNonNull;

import java.util.Map;
import dev.aimesh.core.identity.SpiffeId;

/** What every proxy knows of a workload in the mesh: its name and its identity. */
public record WorkloadEntry(String namespace, String name, SpiffeId spiffeId, Map<String, String> labels) {
    public WorkloadEntry {
        requireNonNull(namespace, "namespace");
        requireNonNull(name, "name");
        requireNonNull(spiffeId, "spiffeId");
        labels = Map.copyOf(labels);
    }

    public String ref() {
        return namespace + "/" + name;
    }
}
