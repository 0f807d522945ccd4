package dev.aimesh.core.authz;

/** Port numbers as policies write them: strings of digits, 1 to 65535. */
public final class Ports {
    private Ports() {}

    public static int parse(String text) {
        int port;
        try {
            port = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a port number");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException(port + " is not a port number (expected: 1 to 65535)");
        }
        return port;
    }
}
