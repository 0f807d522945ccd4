package dev.aimesh.core.resource;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import dev.aimesh.core.authz.IpBlock;
import dev.aimesh.core.authz.Ports;
import dev.aimesh.core.config.MappingReader;
import dev.aimesh.core.config.Position;
import dev.aimesh.core.netpol.LabelSelector;
import dev.aimesh.core.resource.NetworkPolicy.Direction;
import dev.aimesh.core.resource.NetworkPolicy.PeerSelector;
import dev.aimesh.core.resource.NetworkPolicy.PortRange;
import dev.aimesh.core.resource.NetworkPolicy.Protocol;
import dev.aimesh.core.resource.NetworkPolicy.Rule;

/** Decodes and validates a NetworkPolicy, reporting every problem with its field path. */
final class NetworkPolicyDecoder {
    private NetworkPolicyDecoder() {}

    static Optional<Resource> decode(ObjectMeta metadata, Position position, MappingReader spec) {
        LabelSelector podSelector = spec.mapping("podSelector").map(LabelSelectorDecoder::decode).orElse(LabelSelector.ALL);
        Set<Direction> types = EnumSet.noneOf(Direction.class);
        for (MappingReader.Item item : spec.list("policyTypes")) {
            spec.convert(item.node(), item.path(), NetworkPolicyDecoder::direction).ifPresent(types::add);
        }
        List<MappingReader.Item> ingressItems = spec.list("ingress");
        List<Rule> ingress = rules(spec, ingressItems, "from");
        List<MappingReader.Item> egressItems = spec.list("egress");
        List<Rule> egress = rules(spec, egressItems, "to");
        if (types.isEmpty()) { // Kubernetes' default
            types.add(Direction.INGRESS);
            if (!egressItems.isEmpty()) {
                types.add(Direction.EGRESS);
            }
        }
        spec.finish();
        return Optional.of(new NetworkPolicy(metadata, position, podSelector, types, ingress, egress));
    }

    private static Direction direction(String text) {
        return switch (text) {
            case "Ingress" -> Direction.INGRESS;
            case "Egress" -> Direction.EGRESS;
            default -> throw new IllegalArgumentException("'" + text + "' is not a policy type (expected: Ingress or Egress)");
        };
    }

    private static List<Rule> rules(MappingReader spec, List<MappingReader.Item> items, String peersField) {
        List<Rule> rules = new ArrayList<>();
        for (MappingReader.Item item : items) {
            item.mapping(spec.diagnostics()).map(r -> rule(r, peersField)).ifPresent(rules::add);
        }
        return rules;
    }

    private static Rule rule(MappingReader rule, String peersField) {
        List<PeerSelector> peers = new ArrayList<>();
        for (MappingReader.Item item : rule.list(peersField)) {
            item.mapping(rule.diagnostics()).flatMap(NetworkPolicyDecoder::peer).ifPresent(peers::add);
        }
        List<PortRange> ports = new ArrayList<>();
        for (MappingReader.Item item : rule.list("ports")) {
            item.mapping(rule.diagnostics()).flatMap(NetworkPolicyDecoder::ports).ifPresent(ports::add);
        }
        rule.finish();
        return new Rule(peers, ports);
    }

    private static Optional<PeerSelector> peer(MappingReader p) {
        boolean byLabels = p.has("podSelector") || p.has("namespaceSelector");
        Optional<LabelSelector> pods = p.mapping("podSelector").map(LabelSelectorDecoder::decode);
        Optional<LabelSelector> namespaces = p.mapping("namespaceSelector").map(LabelSelectorDecoder::decode);
        Optional<PeerSelector> addresses = p.mapping("ipBlock").flatMap(NetworkPolicyDecoder::ipBlock);
        p.finish();
        if (byLabels && p.has("ipBlock")) {
            p.error("ipBlock", "cannot be combined with podSelector or namespaceSelector (write it as a peer of its own)");
            return Optional.empty();
        }
        if (!byLabels && !p.has("ipBlock")) {
            p.diagnostics().error(p.position(), p.path(), "sets no peer (expected: podSelector, namespaceSelector or ipBlock)");
            return Optional.empty();
        }
        return byLabels ? Optional.of(new PeerSelector.Workloads(pods, namespaces)) : addresses;
    }

    private static Optional<PeerSelector> ipBlock(MappingReader b) {
        if (!b.has("cidr")) {
            b.requiredString("cidr");
        }
        Optional<IpBlock> cidr = b.value("cidr", NetworkPolicyDecoder::cidr);
        List<IpBlock> except = new ArrayList<>();
        for (MappingReader.Item item : b.list("except")) {
            b.convert(item.node(), item.path(), text -> {
                IpBlock block = cidr(text);
                if (cidr.isPresent() && !inside(block, cidr.get())) {
                    throw new IllegalArgumentException("'" + text + "' is not inside cidr " + cidr.get()
                            + " (an except block must be a strict subset of it)");
                }
                return block;
            }).ifPresent(except::add);
        }
        b.finish();
        return cidr.map(c -> new PeerSelector.Addresses(c, except));
    }

    /** Kubernetes wants a block with its prefix length; a bare address is refused rather than guessed at. */
    private static IpBlock cidr(String text) {
        if (text.indexOf('/') < 0) {
            throw new IllegalArgumentException("'" + text + "' is not a CIDR block (expected: address/prefix-length, like 10.0.0.0/8)");
        }
        return IpBlock.parse(text);
    }

    private static boolean inside(IpBlock inner, IpBlock outer) {
        return inner.network().length == outer.network().length && inner.prefixLength() > outer.prefixLength()
                && outer.contains(inner.network());
    }

    /** An entry with any problem yields no range, so a bad port can never widen into "every port". */
    private static Optional<PortRange> ports(MappingReader p) {
        int before = p.diagnostics().size();
        Protocol protocol = p.value("protocol", NetworkPolicyDecoder::protocol).orElse(Protocol.TCP);
        Optional<Integer> port = p.value("port", NetworkPolicyDecoder::port);
        Optional<Integer> endPort = p.value("endPort", Ports::parse);
        if (endPort.isPresent() && !p.has("port")) {
            p.error("endPort", "needs port (the start of the range)");
        } else if (endPort.isPresent() && port.isPresent() && endPort.get() < port.get()) {
            p.error("endPort", endPort.get() + " is less than port " + port.get());
        }
        p.finish();
        if (p.diagnostics().size() > before) {
            return Optional.empty();
        }
        return Optional.of(port.map(first -> new PortRange(protocol, first, endPort.orElse(first)))
                .orElse(new PortRange(protocol, 1, 65535)));
    }

    /** A number; a port name would need the pod's container ports, which the mesh does not know. */
    private static int port(String text) {
        if (!text.isEmpty() && !text.chars().allMatch(Character::isDigit)) {
            throw new IllegalArgumentException("'" + text + "': named ports are not supported (write the port number)");
        }
        return Ports.parse(text);
    }

    private static Protocol protocol(String text) {
        return switch (text) {
            case "TCP" -> Protocol.TCP;
            case "UDP" -> Protocol.UDP;
            case "SCTP" -> Protocol.SCTP;
            default -> throw new IllegalArgumentException("'" + text + "' is not a protocol (expected: TCP, UDP or SCTP)");
        };
    }
}
