package dev.aimesh.core.registry;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Which workload a host name (from a Host header or an absolute URI) names, as Kubernetes DNS would:
 * {@code name} (when only one namespace has it), {@code name.namespace}, {@code name.namespace.svc} and
 * {@code name.namespace.svc.<cluster-domain>}; a port is ignored.
 */
public final class ServiceNames {
    private ServiceNames() {}

    public static Optional<WorkloadEntry> resolve(ConfigSnapshot snapshot, String host) {
        String name = stripPort(host).toLowerCase(Locale.ROOT);
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        String[] labels = name.split("\\.");
        if (labels.length == 1) {
            String only = labels[0];
            List<WorkloadEntry> matches = snapshot.workloads().stream().filter(w -> w.name().equals(only)).toList();
            return matches.size() == 1 ? Optional.of(matches.get(0)) : Optional.empty();
        }
        if (labels.length == 2 || labels[2].equals("svc")) {
            return snapshot.workload(labels[1], labels[0]);
        }
        return Optional.empty();
    }

    /** The host without its port; IPv6 literals keep their brackets. */
    public static String stripPort(String authority) {
        if (authority.startsWith("[")) {
            int end = authority.indexOf(']');
            return end < 0 ? authority : authority.substring(0, end + 1);
        }
        int colon = authority.lastIndexOf(':');
        return colon < 0 ? authority : authority.substring(0, colon);
    }
}
