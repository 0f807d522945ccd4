package dev.aimesh.core.registry;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;
import dev.aimesh.core.identity.SpiffeId;

/**
 * What every proxy knows of a workload in the mesh: its name, its identity, and the inbound proxies
 * ({@code host:port}) that serve it.
 */
public record WorkloadEntry(String namespace, String name, SpiffeId spiffeId, Map<String, String> labels,
        List<String> endpoints) {
    public WorkloadEntry {
        requireNonNull(namespace, "namespace");
        requireNonNull(name, "name");
        requireNonNull(spiffeId, "spiffeId");
        labels = Map.copyOf(labels);
        endpoints = List.copyOf(endpoints);
    }

    public WorkloadEntry withEndpoints(List<String> next) {
        return new WorkloadEntry(namespace, name, spiffeId, labels, next);
    }

    public String ref() {
        return namespace + "/" + name;
    }
}
