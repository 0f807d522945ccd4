package dev.aimesh.core.resource;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import dev.aimesh.core.config.Diagnostic;
import dev.aimesh.core.identity.SpiffeId;

/**
 * The whole configuration of a mesh at one moment: its settings and its workloads. Immutable; a change
 * produces a new instance.
 */
public record MeshConfig(Mesh mesh, List<Workload> workloads, List<AuthorizationPolicy> authorizationPolicies,
        List<RequestAuthentication> requestAuthentications, List<PeerAuthentication> peerAuthentications,
        List<NetworkPolicy> networkPolicies, List<DataLossPreventionPolicy> dataLossPreventionPolicies,
        List<RateLimitPolicy> rateLimitPolicies) {
    public MeshConfig {
        workloads = workloads.stream()
                .sorted(Comparator.comparing(Workload::namespace).thenComparing(Workload::name))
                .toList();
        authorizationPolicies = authorizationPolicies.stream()
                .sorted(Comparator.comparing(AuthorizationPolicy::ref))
                .toList();
        requestAuthentications = requestAuthentications.stream()
                .sorted(Comparator.comparing(RequestAuthentication::ref))
                .toList();
        // sorted by namespace/name: PeerAuthentications picks the first of competing policies
        peerAuthentications = peerAuthentications.stream()
                .sorted(Comparator.comparing(PeerAuthentication::ref))
                .toList();
        networkPolicies = networkPolicies.stream()
                .sorted(Comparator.comparing(NetworkPolicy::ref))
                .toList();
        dataLossPreventionPolicies = dataLossPreventionPolicies.stream()
                .sorted(Comparator.comparing(DataLossPreventionPolicy::ref))
                .toList();
        rateLimitPolicies = rateLimitPolicies.stream()
                .sorted(Comparator.comparing(RateLimitPolicy::ref))
                .toList();
    }

    public static MeshConfig empty() {
        return new MeshConfig(Mesh.defaults(), List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), List.of());
    }

    /** Assembles resources into a config, reporting conflicts between them (duplicates, several Meshes). */
    public static Assembled assemble(List<Resource> resources) {
        List<Diagnostic> problems = new ArrayList<>();
        Mesh mesh = null;
        Map<String, Workload> workloads = new LinkedHashMap<>();
        Map<String, AuthorizationPolicy> policies = new LinkedHashMap<>();
        Map<String, Role> roles = new LinkedHashMap<>();
        Map<String, RequestAuthentication> authentications = new LinkedHashMap<>();
        Map<String, RoleBinding> bindings = new LinkedHashMap<>();
        Map<String, PeerAuthentication> peerAuthentications = new LinkedHashMap<>();
        Map<String, NetworkPolicy> networkPolicies = new LinkedHashMap<>();
        Map<String, DataLossPreventionPolicy> dlpPolicies = new LinkedHashMap<>();
        Map<String, RateLimitPolicy> rateLimits = new LinkedHashMap<>();
        for (Resource resource : resources) {
            switch (resource) {
                case Mesh m -> {
                    if (mesh != null) {
                        problems.add(new Diagnostic(m.position(), "kind", "a second Mesh resource (the first is at "
                                + mesh.position() + "); a mesh has one"));
                    } else {
                        mesh = m;
                    }
                }
                case AuthorizationPolicy p -> {
                    AuthorizationPolicy first = policies.putIfAbsent(p.ref(), p);
                    if (first != null) {
                        problems.add(new Diagnostic(p.position(), "metadata.name", "AuthorizationPolicy " + p.ref()
                                + " is declared twice (first at " + first.position() + ")"));
                    }
                }
                case RequestAuthentication r -> {
                    RequestAuthentication first = authentications.putIfAbsent(r.ref(), r);
                    if (first != null) {
                        problems.add(new Diagnostic(r.position(), "metadata.name", "RequestAuthentication " + r.ref()
                                + " is declared twice (first at " + first.position() + ")"));
                    }
                }
                case Role r -> {
                    Role first = roles.putIfAbsent(r.metadata().namespace() + "/" + r.metadata().name(), r);
                    if (first != null) {
                        problems.add(new Diagnostic(r.position(), "metadata.name", "Role " + r.metadata().namespace() + "/"
                                + r.metadata().name() + " is declared twice (first at " + first.position() + ")"));
                    }
                }
                case RoleBinding b -> {
                    RoleBinding first = bindings.putIfAbsent(b.metadata().namespace() + "/" + b.metadata().name(), b);
                    if (first != null) {
                        problems.add(new Diagnostic(b.position(), "metadata.name", "RoleBinding " + b.metadata().namespace()
                                + "/" + b.metadata().name() + " is declared twice (first at " + first.position() + ")"));
                    }
                }
                case PeerAuthentication p -> keepFirst(peerAuthentications, p.ref(), p, problems);
                case NetworkPolicy p -> keepFirst(networkPolicies, p.ref(), p, problems);
                case DataLossPreventionPolicy p -> keepFirst(dlpPolicies, p.ref(), p, problems);
                case RateLimitPolicy p -> keepFirst(rateLimits, p.ref(), p, problems);
                case Workload w -> {
                    String key = w.namespace() + "/" + w.name();
                    Workload first = workloads.putIfAbsent(key, w);
                    if (first != null) {
                        problems.add(new Diagnostic(w.position(), "metadata.name", "Workload " + key
                                + " is declared twice (first at " + first.position() + ")"));
                    }
                }
            }
        }
        for (RoleBinding binding : bindings.values()) {
            Optional<Role> role = RoleBindings.roleOf(binding, List.copyOf(roles.values()));
            if (role.isEmpty()) {
                problems.add(new Diagnostic(binding.position(), "spec.roleRef.name", "no Role " + binding.metadata().namespace()
                        + "/" + binding.role() + " (a binding gives a Role of its own namespace)"));
            } else {
                AuthorizationPolicy compiled = RoleBindings.compile(binding, role.get());
                policies.put(compiled.ref(), compiled);
            }
        }
        return new Assembled(new MeshConfig(mesh == null ? Mesh.defaults() : mesh, List.copyOf(workloads.values()),
                List.copyOf(policies.values()), List.copyOf(authentications.values()), List.copyOf(peerAuthentications.values()),
                List.copyOf(networkPolicies.values()), List.copyOf(dlpPolicies.values()),
                List.copyOf(rateLimits.values())), problems);
    }

    private static <R extends Resource> void keepFirst(Map<String, R> kept, String ref, R resource, List<Diagnostic> problems) {
        R first = kept.putIfAbsent(ref, resource);
        if (first != null) {
            problems.add(new Diagnostic(resource.position(), "metadata.name", resource.type().kind() + " " + ref
                    + " is declared twice (first at " + first.position() + ")"));
        }
    }

    /** A config and the conflicts found while assembling it (the later resource of each conflict is left out). */
    public record Assembled(MeshConfig config, List<Diagnostic> problems) {}

    /** Finds a workload by {@code name} (when unique) or {@code namespace/name}. */
    public Optional<Workload> workload(String ref) {
        int slash = ref.indexOf('/');
        List<Workload> matches = workloads.stream()
                .filter(w -> slash < 0 ? w.name().equals(ref) : (w.namespace() + "/" + w.name()).equals(ref))
                .toList();
        return matches.size() == 1 ? Optional.of(matches.get(0)) : Optional.empty();
    }

    public SpiffeId spiffeIdOf(Workload workload) {
        return workload.spiffeId(mesh.trustDomain());
    }
}
