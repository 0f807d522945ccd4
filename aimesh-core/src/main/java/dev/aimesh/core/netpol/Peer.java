package dev.aimesh.core.netpol;

import static java.util.Objects.requireNonNull;

import java.util.Map;
import java.util.Optional;
import dev.aimesh.core.authz.IpBlock;

/**
 * One end of a connection as network policy sees it: the workload's namespace and labels when the mesh
 * knows it (from its SPIFFE ID), and its IP address when known. A peer outside the mesh has only an IP.
 * An input to {@link NetworkPolicies}, not a value to compare: the address is a byte array.
 */
public record Peer(Optional<String> namespace, Map<String, String> labels, Optional<byte[]> ip) {
    public Peer {
        requireNonNull(namespace, "namespace");
        labels = Map.copyOf(labels);
        requireNonNull(ip, "ip");
        ip = ip.map(IpBlock::unmapped);
    }

    public static Peer workload(String namespace, Map<String, String> labels) {
        return new Peer(Optional.of(namespace), labels, Optional.empty());
    }

    public static Peer workload(String namespace, Map<String, String> labels, byte[] ip) {
        return new Peer(Optional.of(namespace), labels, Optional.of(ip));
    }

    /** A peer known only by its address. */
    public static Peer external(byte[] ip) {
        return new Peer(Optional.empty(), Map.of(), Optional.of(ip));
    }
}
