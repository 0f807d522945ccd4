package dev.aimesh.controlplane;

import java.nio.file.Path;
import java.util.Optional;

/** Another process holds the data directory: starting would give it two writers. */
public final class DataDirectoryLockedException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient Optional<Long> holder;

    public DataDirectoryLockedException(Path dataDir, Optional<Long> holder) {
        super(dataDir + " is in use by " + holder.map(pid -> "another control plane (PID " + pid + ")")
                .orElse("another control plane") + "; stop it first, or use another --data-dir");
        this.holder = holder;
    }

    /** The PID of the process that holds the directory, when it wrote one. */
    public Optional<Long> holder() {
        return holder;
    }
}
