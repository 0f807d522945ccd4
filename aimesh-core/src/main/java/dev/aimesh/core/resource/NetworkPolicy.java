package dev.aimesh.core.resource;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import dev.aimesh.core.authz.IpBlock;
import dev.aimesh.core.config.Position;
import dev.aimesh.core.netpol.LabelSelector;

/**
 * Kubernetes' {@code NetworkPolicy} ({@code networking.k8s.io/v1}), validated: which connections the selected
 * workloads of its namespace may accept ({@code ingress}) and open ({@code egress}). Its meaning lives in
 * {@link dev.aimesh.core.netpol.NetworkPolicies}.
 *
 * @param podSelector the workloads of the policy's namespace it applies to ({@link LabelSelector#ALL} for all)
 * @param policyTypes the directions it restricts; as Kubernetes defaults it: Ingress, and Egress when it has egress rules
 */
public record NetworkPolicy(ObjectMeta metadata, Position position, LabelSelector podSelector, Set<Direction> policyTypes,
        List<Rule> ingress, List<Rule> egress) implements Resource {
    public static final ResourceType TYPE = new ResourceType("networking.k8s.io/v1", "NetworkPolicy");

    public NetworkPolicy {
        requireNonNull(metadata, "metadata");
        requireNonNull(position, "position");
        requireNonNull(podSelector, "podSelector");
        policyTypes = Set.copyOf(policyTypes);
        ingress = List.copyOf(ingress);
        egress = List.copyOf(egress);
    }

    @Override
    public ResourceType type() {
        return TYPE;
    }

    /** {@code namespace/name}, as decisions name the policy. */
    public String ref() {
        return metadata.namespace() + "/" + metadata.name();
    }

    public List<Rule> rules(Direction direction) {
        return direction == Direction.INGRESS ? ingress : egress;
    }

    public enum Direction { INGRESS, EGRESS }

    /**
     * Allows a connection from (ingress) or to (egress) one of {@code peers} on one of {@code ports}; an
     * empty list matches every peer, or every port.
     */
    public record Rule(List<PeerSelector> peers, List<PortRange> ports) {
        public Rule {
            peers = List.copyOf(peers);
            ports = List.copyOf(ports);
        }
    }

    /** One {@code from} or {@code to} entry. */
    public sealed interface PeerSelector {
        /**
         * Workloads by labels: {@code pods} alone in the policy's namespace, {@code namespaces} alone every
         * workload of those namespaces, both the matching workloads of the matching namespaces.
         */
        record Workloads(Optional<LabelSelector> pods, Optional<LabelSelector> namespaces) implements PeerSelector {
            public Workloads {
                requireNonNull(pods, "pods");
                requireNonNull(namespaces, "namespaces");
            }
        }

        /** {@code ipBlock}: addresses in {@code cidr} and in none of {@code except}. */
        record Addresses(IpBlock cidr, List<IpBlock> except) implements PeerSelector {
            public Addresses {
                requireNonNull(cidr, "cidr");
                except = List.copyOf(except);
            }
        }
    }

    /** One {@code ports} entry: ports {@code first} to {@code last} of a protocol (1 to 65535 when no port is given). */
    public record PortRange(Protocol protocol, int first, int last) {
        public PortRange {
            requireNonNull(protocol, "protocol");
            if (first < 1 || last > 65535 || last < first) {
                throw new IllegalArgumentException("ports: " + first + "-" + last + " (expected: 1 <= first <= last <= 65535)");
            }
        }
    }

    public enum Protocol { TCP, UDP, SCTP }
}
