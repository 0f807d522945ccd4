package dev.aimesh.proxy.snapshot;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import dev.aimesh.core.identity.SpiffeId;
import dev.aimesh.core.registry.ConfigSnapshot;
import dev.aimesh.core.registry.ServiceNames;
import dev.aimesh.core.registry.WorkloadEntry;

/**
 * The workloads of one registry snapshot, indexed once for lookups per request and per connection: by SPIFFE ID,
 * and by every host name Kubernetes DNS would give one ({@link ServiceNames}), each a hash lookup.
 */
public final class RegistryIndex {
    /** Before the first snapshot: no workload is known. */
    public static final RegistryIndex NONE = new RegistryIndex(null);

    private final ConfigSnapshot registry;
    private final Map<SpiffeId, WorkloadEntry> bySpiffeId = new HashMap<>();
    /** {@code namespace/name}. */
    private final Map<String, WorkloadEntry> byRef = new HashMap<>();
    /** A bare name, where only one namespace has it. */
    private final Map<String, WorkloadEntry> byUniqueName = new HashMap<>();
    /** The usual spellings as written: {@code name.namespace}, {@code name.namespace.svc}, {@code ...svc.cluster.local}. */
    private final Map<String, WorkloadEntry> byHost = new HashMap<>();

    private RegistryIndex(ConfigSnapshot registry) {
        this.registry = registry;
        if (registry == null) {
            return;
        }
        Map<String, Integer> names = new HashMap<>();
        for (WorkloadEntry w : registry.workloads()) {
            bySpiffeId.putIfAbsent(w.spiffeId(), w);
            byRef.put(w.namespace() + "/" + w.name(), w);
            names.merge(w.name(), 1, Integer::sum);
            String dns = w.name() + "." + w.namespace();
            byHost.put(dns, w);
            byHost.put(dns + ".svc", w);
            byHost.put(dns + ".svc.cluster.local", w);
        }
        for (WorkloadEntry w : registry.workloads()) {
            if (names.get(w.name()) == 1) {
                byUniqueName.put(w.name(), w);
            }
        }
    }

    public static RegistryIndex of(ConfigSnapshot registry) {
        return new RegistryIndex(java.util.Objects.requireNonNull(registry, "registry"));
    }

    /** Whether a registry snapshot has arrived. */
    public boolean known() {
        return registry != null;
    }

    /** The registry snapshot indexed, or null before the first. */
    public ConfigSnapshot registry() {
        return registry;
    }

    public Optional<WorkloadEntry> bySpiffeId(SpiffeId id) {
        return Optional.ofNullable(bySpiffeId.get(id));
    }

    public Optional<WorkloadEntry> workload(String namespace, String name) {
        return Optional.ofNullable(byRef.get(namespace + "/" + name));
    }

    /** The workload a Host header or URI authority names, as {@link ServiceNames#resolve} decides, by lookups. */
    public Optional<WorkloadEntry> byHost(String authority) {
        if (registry == null) {
            return Optional.empty();
        }
        String host = ServiceNames.stripPort(authority);
        WorkloadEntry usual = byHost.get(host);
        if (usual != null) {
            return Optional.of(usual);
        }
        String name = host.toLowerCase(Locale.ROOT);
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        String[] labels = name.split("\\.");
        if (labels.length == 1) {
            return Optional.ofNullable(byUniqueName.get(labels[0]));
        }
        if (labels.length == 2 || labels[2].equals("svc")) {
            return Optional.ofNullable(byRef.get(labels[1] + "/" + labels[0]));
        }
        return Optional.empty();
    }
}
