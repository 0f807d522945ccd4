package dev.aimesh.core.resource;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import dev.aimesh.core.authz.Condition;
import dev.aimesh.core.authz.IpBlock;
import dev.aimesh.core.authz.PathMatch;
import dev.aimesh.core.authz.StringMatch;
import dev.aimesh.core.config.Position;

/**
 * Istio's {@code AuthorizationPolicy} ({@code security.istio.io/v1} and {@code v1beta1}), validated: who
 * may do what to the selected workloads. Its meaning (DENY before ALLOW, default allow while no ALLOW
 * policy selects a workload) lives in {@link dev.aimesh.core.authz.Authorizer}.
 *
 * @param selector labels a workload must have (empty: every workload of the namespace, or of the mesh in the root namespace)
 * @param targets workloads named by {@code targetRefs} (kind Service, in the policy's namespace); empty when none
 * @param dryRun {@code istio.io/dry-run: "true"}: evaluated and reported, never enforced
 */
public record AuthorizationPolicy(ObjectMeta metadata, Position position, Optional<Map<String, String>> selector,
        List<String> targets, Action action, List<Rule> rules, boolean dryRun) implements Resource {
    public static final ResourceType TYPE = new ResourceType("security.istio.io/v1", "AuthorizationPolicy");
    public static final ResourceType TYPE_V1BETA1 = new ResourceType("security.istio.io/v1beta1", "AuthorizationPolicy");
    public static final String DRY_RUN_ANNOTATION = "istio.io/dry-run";

    public AuthorizationPolicy {
        requireNonNull(metadata, "metadata");
        requireNonNull(position, "position");
        selector = selector.map(Map::copyOf);
        targets = List.copyOf(targets);
        requireNonNull(action, "action");
        rules = List.copyOf(rules);
    }

    @Override
    public ResourceType type() {
        return TYPE;
    }

    /** {@code namespace/name}, as decisions name the policy. */
    public String ref() {
        return metadata.namespace() + "/" + metadata.name();
    }

    public enum Action { ALLOW, DENY, AUDIT }

    /** Matches when one of {@code from}, one of {@code to} and all of {@code when} match; an absent part matches all. */
    public record Rule(Position position, List<Source> from, List<Operation> to, List<Condition> when) {
        public Rule {
            from = List.copyOf(from);
            to = List.copyOf(to);
            when = List.copyOf(when);
        }
    }

    /** {@code from[].source}: every field set must match (one of its values, none of its {@code not} values). */
    public record Source(List<StringMatch> principals, List<StringMatch> notPrincipals,
            List<StringMatch> requestPrincipals, List<StringMatch> notRequestPrincipals,
            List<StringMatch> namespaces, List<StringMatch> notNamespaces,
            List<IpBlock> ipBlocks, List<IpBlock> notIpBlocks, List<IpBlock> remoteIpBlocks, List<IpBlock> notRemoteIpBlocks) {
        public Source {
            principals = List.copyOf(principals);
            notPrincipals = List.copyOf(notPrincipals);
            requestPrincipals = List.copyOf(requestPrincipals);
            notRequestPrincipals = List.copyOf(notRequestPrincipals);
            namespaces = List.copyOf(namespaces);
            notNamespaces = List.copyOf(notNamespaces);
            ipBlocks = List.copyOf(ipBlocks);
            notIpBlocks = List.copyOf(notIpBlocks);
            remoteIpBlocks = List.copyOf(remoteIpBlocks);
            notRemoteIpBlocks = List.copyOf(notRemoteIpBlocks);
        }
    }

    /** {@code to[].operation}: every field set must match. */
    public record Operation(List<StringMatch> hosts, List<StringMatch> notHosts, List<Integer> ports, List<Integer> notPorts,
            List<String> methods, List<String> notMethods, List<PathMatch> paths, List<PathMatch> notPaths) {
        public Operation {
            hosts = List.copyOf(hosts);
            notHosts = List.copyOf(notHosts);
            ports = List.copyOf(ports);
            notPorts = List.copyOf(notPorts);
            methods = List.copyOf(methods);
            notMethods = List.copyOf(notMethods);
            paths = List.copyOf(paths);
            notPaths = List.copyOf(notPaths);
        }
    }
}
