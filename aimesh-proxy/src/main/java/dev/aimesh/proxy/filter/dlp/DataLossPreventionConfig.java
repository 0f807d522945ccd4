package dev.aimesh.proxy.filter.dlp;

import static java.util.Objects.requireNonNull;

import dev.aimesh.proxy.filter.common.SecurityEventSink;

/**
 * What the data-loss prevention filter is built with (the policies themselves come with each snapshot).
 *
 * @param events where blocks, redactions, recorded findings and uninspected bodies are reported
 */
public record DataLossPreventionConfig(SecurityEventSink events) {
    public DataLossPreventionConfig {
        requireNonNull(events, "events");
    }
}
