package dev.aimesh.demo;

/** A request the server will not serve, with a message for the client; always answered with a 400. */
public final class InvalidRequestException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public InvalidRequestException(String message) {
        super(message, null, false, false);
    }
}
