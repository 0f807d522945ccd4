package dev.aimesh.proxy.agent;

/** The first SVID could not be obtained; the message says why in a sentence a person can act on. */
public final class BootstrapException extends Exception {
    private static final long serialVersionUID = 1L;

    public BootstrapException(String message, Throwable cause) {
        super(message, cause);
    }
}
