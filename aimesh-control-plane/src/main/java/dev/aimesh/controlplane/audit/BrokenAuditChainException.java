package dev.aimesh.controlplane.audit;

import java.nio.file.Path;

/** The audit log's chain is broken at its tail: appending would hide where. */
public final class BrokenAuditChainException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BrokenAuditChainException(Path file, long line, String found) {
        super(file + ": the hash chain breaks at line " + line + ": " + found + "; refusing to append to a broken chain."
                + " Keep a copy of the file for investigation, then start with --audit-recover to record the break"
                + " in the log and continue with a new chain segment");
    }
}
