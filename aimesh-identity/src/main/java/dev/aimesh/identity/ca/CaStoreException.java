package dev.aimesh.identity.ca;

import java.nio.file.Path;

/** The CA's data directory cannot be read or written; the message names the file and what is wrong. */
public final class CaStoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CaStoreException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
    }

    public CaStoreException(Path file, String problem) {
        this(file, problem, null);
    }
}
