package dev.aimesh.proxy.agent;

import dev.aimesh.api.ApiMessages;
import dev.aimesh.core.registry.ConfigSnapshot;

/**
 * The on-disk form of the last good snapshot: the typed resources and registry the proxy applied, as
 * protocol buffers ({@code aimesh.v1.StoredSnapshot}), with a format number so that a file written by
 * another version of aimesh is refused rather than misread. It holds the merged, full snapshot the proxy
 * applied, never a wire message, so a delta on the config stream does not change it.
 */
public final class SnapshotFile {
    /** The workload the proxy serves ({@code namespace/name}) and the snapshot it enforced. */
    public record Contents(String workload, ConfigSnapshot snapshot) {}

    private SnapshotFile() {}

    public static byte[] encode(Contents contents) {
        return ApiMessages.storedSnapshot(contents.workload(), contents.snapshot());
    }

    /** Reads a file written by {@link #encode}; the exception's message says what is wrong with it. */
    public static Contents decode(byte[] bytes) {
        ApiMessages.Stored stored = ApiMessages.storedSnapshot(bytes);
        return new Contents(stored.workload(), stored.snapshot());
    }
}
