package dev.aimesh.core.registry;

import static java.util.Objects.requireNonNull;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import dev.aimesh.core.resource.Resource;

/**
 * How one snapshot differs from another: the workload entries and resources that are new or changed, and
 * the keys of those removed. A policy change then travels as that one policy instead of the whole config,
 * which is what lets a change reach thousands of proxies quickly. A delta with no base is a whole
 * snapshot: applying it replaces whatever the receiver had.
 *
 * @param baseVersion the version this delta applies to; empty for a whole snapshot
 * @param removedWorkloads {@code namespace/name} of each workload entry to drop
 * @param removedResources {@link Resource#key()} of each resource to drop
 */
public record SnapshotDelta(Optional<String> baseVersion, String version, List<WorkloadEntry> workloads,
        Set<String> removedWorkloads, List<Resource> resources, Set<String> removedResources) {
    public SnapshotDelta {
        requireNonNull(baseVersion, "baseVersion");
        requireNonNull(version, "version");
        workloads = List.copyOf(workloads);
        removedWorkloads = Set.copyOf(removedWorkloads);
        resources = List.copyOf(resources);
        removedResources = Set.copyOf(removedResources);
        if (baseVersion.isEmpty() && !(removedWorkloads.isEmpty() && removedResources.isEmpty())) {
            throw new IllegalArgumentException("a whole snapshot removes nothing");
        }
    }

    /** The whole of {@code snapshot}, for a receiver that has nothing (or nothing the sender knows of). */
    public static SnapshotDelta whole(ConfigSnapshot snapshot) {
        return new SnapshotDelta(Optional.empty(), snapshot.version(), snapshot.workloads(), Set.of(),
                snapshot.resources(), Set.of());
    }

    /** What turns {@code from} into {@code to}. */
    public static SnapshotDelta between(ConfigSnapshot from, ConfigSnapshot to) {
        Map<String, WorkloadEntry> before = byKey(from.workloads(), WorkloadEntry::ref);
        Map<String, WorkloadEntry> after = byKey(to.workloads(), WorkloadEntry::ref);
        Map<String, Resource> resourcesBefore = byKey(from.resources(), Resource::key);
        Map<String, Resource> resourcesAfter = byKey(to.resources(), Resource::key);
        return new SnapshotDelta(Optional.of(from.version()), to.version(), changed(before, after), removed(before, after),
                changed(resourcesBefore, resourcesAfter), removed(resourcesBefore, resourcesAfter));
    }

    /**
     * What turns {@code from} into {@code to} when the registry's change is known already: it is the same for
     * every proxy that holds the version of {@code from}, so it is worked out once for all of them.
     */
    public static SnapshotDelta between(ConfigSnapshot from, ConfigSnapshot to, SnapshotDelta registry) {
        Map<String, Resource> before = byKey(from.resources(), Resource::key);
        Map<String, Resource> after = byKey(to.resources(), Resource::key);
        return new SnapshotDelta(Optional.of(from.version()), to.version(), registry.workloads(), registry.removedWorkloads(),
                changed(before, after), removed(before, after));
    }

    /** Whether applying it changes nothing but the version. */
    public boolean isEmpty() {
        return !isWhole() && workloads.isEmpty() && removedWorkloads.isEmpty() && resources.isEmpty()
                && removedResources.isEmpty();
    }

    public boolean isWhole() {
        return baseVersion.isEmpty();
    }

    /**
     * The snapshot this delta makes of {@code base}, or of nothing for a whole snapshot.
     *
     * @throws IllegalArgumentException when {@code base} is not the version the delta was made for
     */
    public ConfigSnapshot applyTo(Optional<ConfigSnapshot> base) {
        if (isWhole()) {
            return new ConfigSnapshot(version, workloads, resources);
        }
        String has = base.map(ConfigSnapshot::version).orElse("none");
        if (!has.equals(baseVersion.get())) {
            throw new IllegalArgumentException("a delta from config " + baseVersion.get() + ", but the config here is " + has);
        }
        Map<String, WorkloadEntry> entries = byKey(base.get().workloads(), WorkloadEntry::ref);
        removedWorkloads.forEach(entries::remove);
        workloads.forEach(w -> entries.put(w.ref(), w));
        Map<String, Resource> kept = byKey(base.get().resources(), Resource::key);
        removedResources.forEach(kept::remove);
        resources.forEach(r -> kept.put(r.key(), r));
        return new ConfigSnapshot(version, List.copyOf(entries.values()), List.copyOf(kept.values()));
    }

    private static <T> Map<String, T> byKey(List<T> values, Function<T, String> key) {
        return values.stream().collect(Collectors.toMap(key, Function.identity(), (a, b) -> b, LinkedHashMap::new));
    }

    private static <T> List<T> changed(Map<String, T> before, Map<String, T> after) {
        return after.entrySet().stream().filter(e -> !e.getValue().equals(before.get(e.getKey()))).map(Map.Entry::getValue)
                .toList();
    }

    private static Set<String> removed(Map<String, ?> before, Map<String, ?> after) {
        return before.keySet().stream().filter(k -> !after.containsKey(k)).collect(Collectors.toUnmodifiableSet());
    }
}
