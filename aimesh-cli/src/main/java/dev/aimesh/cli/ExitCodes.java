package dev.aimesh.cli;

/** Exit codes scripts can rely on. */
public final class ExitCodes {
    /** Done as asked. */
    public static final int OK = 0;
    /** The operation failed or was refused; the message says why. */
    public static final int FAILED = 1;
    /** The command line itself is wrong (unknown option, missing argument). */
    public static final int USAGE = 2;
    /** The configuration has problems; each is printed with file, line and field. */
    public static final int CONFIG_INVALID = 3;
    /** The control plane could not be reached. */
    public static final int UNREACHABLE = 4;
    /** {@code aimesh check}: the request would be denied. */
    public static final int DENIED = 5;
    /** {@code aimesh analyze --fail-on-warning}: the analysis found something to look at. */
    public static final int WARNINGS = 6;
    /** The admin API refused the CLI's token, or the token file is missing or unreadable. */
    public static final int UNAUTHORIZED = 7;
    /** The data directory is in use by another control plane (the message names its PID). */
    public static final int DATA_DIR_LOCKED = 8;
    /** The audit log's hash chain is broken; the control plane does not append to it without --audit-recover. */
    public static final int AUDIT_CHAIN_BROKEN = 9;

    private ExitCodes() {}
}
