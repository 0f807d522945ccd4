package dev.aimesh.core.dlp;

/** Where {@link ContentScanner} reports what it found: offsets into the scanned bytes, end exclusive. */
@FunctionalInterface
public interface Findings {
    void found(Detector detector, int start, int end);
}
