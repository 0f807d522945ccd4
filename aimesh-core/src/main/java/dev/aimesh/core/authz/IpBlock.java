package dev.aimesh.core.authz;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * An address or CIDR block ({@code 10.0.0.0/8}, {@code 192.168.1.7}, {@code 2001:db8::/32}). Parsing never
 * resolves names: only literal addresses are accepted.
 */
public record IpBlock(String text, byte[] network, int prefixLength) {
    private static final Pattern LITERAL = Pattern.compile("[0-9a-fA-F:.]+");

    public static IpBlock parse(String text) {
        int slash = text.indexOf('/');
        String address = slash < 0 ? text : text.substring(0, slash);
        byte[] bytes = literal(address).orElseThrow(() ->
                new IllegalArgumentException("'" + text + "' is not an IP address or CIDR block"));
        int bits = bytes.length * 8;
        int prefix = bits;
        if (slash >= 0) {
            try {
                prefix = Integer.parseInt(text.substring(slash + 1));
            } catch (NumberFormatException e) {
                prefix = -1;
            }
            if (prefix < 0 || prefix > bits) {
                throw new IllegalArgumentException("'" + text + "': the prefix length must be 0 to " + bits);
            }
        }
        for (int i = 0; i < bytes.length; i++) { // keep only the network bits
            int keep = Math.max(0, Math.min(8, prefix - i * 8));
            bytes[i] &= (byte) (0xff << (8 - keep));
        }
        return new IpBlock(text, bytes, prefix);
    }

    /** The bytes of a literal address (IPv4 or IPv6), or empty when it is not one. */
    public static java.util.Optional<byte[]> literal(String address) {
        String a = address.startsWith("[") && address.endsWith("]") ? address.substring(1, address.length() - 1) : address;
        if (a.isEmpty() || !LITERAL.matcher(a).matches() || (!a.contains(":") && a.chars().filter(c -> c == '.').count() != 3)) {
            return java.util.Optional.empty();
        }
        try {
            byte[] bytes = InetAddress.getByName(a).getAddress(); // a literal: no lookup happens
            return java.util.Optional.of(unmapped(bytes));
        } catch (UnknownHostException e) {
            return java.util.Optional.empty();
        }
    }

    public boolean contains(byte[] address) {
        if (address == null || address.length != network.length) {
            return false;
        }
        for (int i = 0; i < network.length; i++) {
            int keep = Math.max(0, Math.min(8, prefixLength - i * 8));
            if (keep == 0) {
                return true;
            }
            int mask = (0xff << (8 - keep)) & 0xff;
            if ((address[i] & mask) != (network[i] & mask)) {
                return false;
            }
        }
        return true;
    }

    /** An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is matched as the IPv4 address it carries. */
    public static byte[] unmapped(byte[] bytes) {
        if (bytes.length == 16) {
            boolean mapped = bytes[10] == (byte) 0xff && bytes[11] == (byte) 0xff;
            for (int i = 0; i < 10 && mapped; i++) {
                mapped = bytes[i] == 0;
            }
            if (mapped) {
                return new byte[] {bytes[12], bytes[13], bytes[14], bytes[15]};
            }
        }
        return bytes;
    }

    @Override
    public String toString() {
        return text;
    }
}
