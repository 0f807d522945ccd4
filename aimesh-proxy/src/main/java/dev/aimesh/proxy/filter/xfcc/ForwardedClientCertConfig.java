package dev.aimesh.proxy.filter.xfcc;

import static java.util.Objects.requireNonNull;

import io.netty.util.AsciiString;

/**
 * What the XFCC filter is built with.
 *
 * @param header the header the model server reads the verified caller from (Envoy's {@code x-forwarded-client-cert})
 */
public record ForwardedClientCertConfig(AsciiString header) {
    public ForwardedClientCertConfig {
        requireNonNull(header, "header");
        if (header.isEmpty() || !header.chars().allMatch(c -> c > ' ' && c < 0x7f && c != ':' && !(c >= 'A' && c <= 'Z'))) {
            throw new IllegalArgumentException("header: '" + header + "' (expected: a lower-case header name)");
        }
    }
}
