package dev.aimesh.api;

import static dev.aimesh.api.ProtoFields.metadata;
import static dev.aimesh.api.ProtoFields.position;

import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import dev.aimesh.core.authz.IpBlock;
import dev.aimesh.core.netpol.LabelSelector;
import dev.aimesh.core.resource.NetworkPolicy;
import dev.aimesh.core.resource.NetworkPolicy.Direction;
import dev.aimesh.core.resource.NetworkPolicy.PeerSelector;
import dev.aimesh.core.resource.NetworkPolicy.PortRange;
import dev.aimesh.core.resource.NetworkPolicy.Protocol;
import dev.aimesh.core.resource.NetworkPolicy.Rule;

/** {@link NetworkPolicy} to and from its message; sets are written sorted, so equal policies make equal bytes. */
final class NetworkPolicyMessages {
    private NetworkPolicyMessages() {}

    static dev.aimesh.api.v1.NetworkPolicy toProto(NetworkPolicy policy) {
        var builder = dev.aimesh.api.v1.NetworkPolicy.newBuilder().setMetadata(metadata(policy.metadata()))
                .setPosition(position(policy.position())).setPodSelector(selector(policy.podSelector()));
        policy.policyTypes().stream().sorted()
                .forEach(d -> builder.addPolicyTypes(dev.aimesh.api.v1.NetworkPolicy.Direction.valueOf(d.name())));
        policy.ingress().forEach(r -> builder.addIngress(rule(r)));
        policy.egress().forEach(r -> builder.addEgress(rule(r)));
        return builder.build();
    }

    static NetworkPolicy fromProto(dev.aimesh.api.v1.NetworkPolicy message) {
        Set<Direction> types = EnumSet.noneOf(Direction.class);
        for (int value : message.getPolicyTypesValueList()) {
            types.add(switch (value) {
                case dev.aimesh.api.v1.NetworkPolicy.Direction.INGRESS_VALUE -> Direction.INGRESS;
                case dev.aimesh.api.v1.NetworkPolicy.Direction.EGRESS_VALUE -> Direction.EGRESS;
                default -> throw ProtoFields.unknown("policyTypes", value, "Ingress or Egress");
            });
        }
        return new NetworkPolicy(metadata(message.getMetadata()), position(message.getPosition()),
                selector(message.getPodSelector()), types, rules(message.getIngressList()), rules(message.getEgressList()));
    }

    private static dev.aimesh.api.v1.NetworkPolicy.Rule rule(Rule rule) {
        var builder = dev.aimesh.api.v1.NetworkPolicy.Rule.newBuilder();
        for (PeerSelector peer : rule.peers()) {
            var p = dev.aimesh.api.v1.NetworkPolicy.Peer.newBuilder();
            switch (peer) {
                case PeerSelector.Workloads w -> {
                    var workloads = dev.aimesh.api.v1.NetworkPolicy.Workloads.newBuilder();
                    w.pods().ifPresent(s -> workloads.setPods(selector(s)));
                    w.namespaces().ifPresent(s -> workloads.setNamespaces(selector(s)));
                    p.setWorkloads(workloads);
                }
                case PeerSelector.Addresses a -> p.setAddresses(dev.aimesh.api.v1.NetworkPolicy.Addresses.newBuilder()
                        .setCidr(a.cidr().text()).addAllExcept(a.except().stream().map(IpBlock::text).toList()));
            }
            builder.addPeers(p);
        }
        for (PortRange range : rule.ports()) {
            builder.addPorts(dev.aimesh.api.v1.NetworkPolicy.PortRange.newBuilder()
                    .setProtocol(dev.aimesh.api.v1.NetworkPolicy.Protocol.valueOf(range.protocol().name()))
                    .setFirst(range.first()).setLast(range.last()));
        }
        return builder.build();
    }

    private static List<Rule> rules(List<dev.aimesh.api.v1.NetworkPolicy.Rule> rules) {
        return rules.stream().map(r -> new Rule(r.getPeersList().stream().map(NetworkPolicyMessages::peer).toList(),
                r.getPortsList().stream().map(p -> new PortRange(protocol(p.getProtocolValue()), p.getFirst(), p.getLast()))
                        .toList())).toList();
    }

    private static PeerSelector peer(dev.aimesh.api.v1.NetworkPolicy.Peer peer) {
        return switch (peer.getKindCase()) {
            case WORKLOADS -> new PeerSelector.Workloads(
                    peer.getWorkloads().hasPods() ? Optional.of(selector(peer.getWorkloads().getPods())) : Optional.empty(),
                    peer.getWorkloads().hasNamespaces() ? Optional.of(selector(peer.getWorkloads().getNamespaces()))
                            : Optional.empty());
            case ADDRESSES -> new PeerSelector.Addresses(IpBlock.parse(peer.getAddresses().getCidr()),
                    peer.getAddresses().getExceptList().stream().map(IpBlock::parse).toList());
            case KIND_NOT_SET -> throw new IllegalArgumentException("a NetworkPolicy peer of a kind this proxy does not know;"
                    + " is the control plane newer than the proxy?");
        };
    }

    private static Protocol protocol(int value) {
        return switch (value) {
            case dev.aimesh.api.v1.NetworkPolicy.Protocol.TCP_VALUE -> Protocol.TCP;
            case dev.aimesh.api.v1.NetworkPolicy.Protocol.UDP_VALUE -> Protocol.UDP;
            case dev.aimesh.api.v1.NetworkPolicy.Protocol.SCTP_VALUE -> Protocol.SCTP;
            default -> throw ProtoFields.unknown("ports.protocol", value, "TCP, UDP or SCTP");
        };
    }

    static dev.aimesh.api.v1.LabelSelector selector(LabelSelector selector) {
        var builder = dev.aimesh.api.v1.LabelSelector.newBuilder().putAllMatchLabels(selector.matchLabels());
        for (LabelSelector.Requirement r : selector.matchExpressions()) {
            builder.addMatchExpressions(dev.aimesh.api.v1.LabelSelector.Requirement.newBuilder().setKey(r.key())
                    .setOperator(dev.aimesh.api.v1.LabelSelector.Operator.valueOf(r.operator().name()))
                    .addAllValues(r.values().stream().sorted().toList()));
        }
        return builder.build();
    }

    static LabelSelector selector(dev.aimesh.api.v1.LabelSelector message) {
        return new LabelSelector(message.getMatchLabelsMap(), message.getMatchExpressionsList().stream()
                .map(r -> new LabelSelector.Requirement(r.getKey(), operator(r.getOperatorValue()), Set.copyOf(r.getValuesList())))
                .toList());
    }

    private static LabelSelector.Operator operator(int value) {
        return switch (value) {
            case dev.aimesh.api.v1.LabelSelector.Operator.IN_VALUE -> LabelSelector.Operator.IN;
            case dev.aimesh.api.v1.LabelSelector.Operator.NOT_IN_VALUE -> LabelSelector.Operator.NOT_IN;
            case dev.aimesh.api.v1.LabelSelector.Operator.EXISTS_VALUE -> LabelSelector.Operator.EXISTS;
            case dev.aimesh.api.v1.LabelSelector.Operator.DOES_NOT_EXIST_VALUE -> LabelSelector.Operator.DOES_NOT_EXIST;
            default -> throw ProtoFields.unknown("matchExpressions.operator", value, "In, NotIn, Exists or DoesNotExist");
        };
    }
}
