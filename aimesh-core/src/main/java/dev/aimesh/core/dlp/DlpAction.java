package dev.aimesh.core.dlp;

/**
 * What a policy does with a finding: record it only; replace it (by its type's placeholder, {@code [EMAIL]}, or
 * masked but for its last four letters and digits, {@code **** **** **** 1234}); or refuse the whole body.
 */
public enum DlpAction {
    AUDIT, REDACT, MASK, BLOCK;

    /** The stronger of two actions on the same bytes: block over redact over mask over audit. */
    public DlpAction max(DlpAction other) {
        return compareTo(other) >= 0 ? this : other;
    }
}
