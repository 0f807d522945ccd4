package dev.aimesh.proxy.agent;

/** An SVID renewal failed; the message says why (control plane away, refusal, bad answer). */
public final class RenewalException extends Exception {
    private static final long serialVersionUID = 1L;

    public RenewalException(String message, Throwable cause) {
        super(message, cause);
    }
}
