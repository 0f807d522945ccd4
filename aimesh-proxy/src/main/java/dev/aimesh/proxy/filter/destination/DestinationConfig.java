package dev.aimesh.proxy.filter.destination;

/**
 * What the destination filter is built with.
 *
 * @param maxAuthorityChars the longest Host (or URI authority) looked up in the registry
 */
public record DestinationConfig(int maxAuthorityChars) {
    public static final DestinationConfig DEFAULTS = new DestinationConfig(255 + 6);

    public DestinationConfig {
        if (maxAuthorityChars < 1) {
            throw new IllegalArgumentException("maxAuthorityChars: " + maxAuthorityChars + " (expected: > 0)");
        }
    }
}
