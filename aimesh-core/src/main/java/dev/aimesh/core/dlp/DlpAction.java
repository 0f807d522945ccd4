package dev.aimesh.core.dlp;

/**
 * What a policy does with a finding: record it only; replace it (by its type's placeholder, {@code [EMAIL]}, or
 * masked but for its last four letters and digits, {@code **** **** **** 1234}); or refuse the whole body.
 */
public enum DlpAction {
    // declared from the weakest to the strongest: max() compares them by order
    AUDIT, MASK, REDACT, BLOCK;

    /**
     * The stronger of two actions on the same bytes, the one that lets less through: block over redact over mask
     * (which keeps four characters) over audit.
     */
    public DlpAction max(DlpAction other) {
        return compareTo(other) >= 0 ? this : other;
    }
}
