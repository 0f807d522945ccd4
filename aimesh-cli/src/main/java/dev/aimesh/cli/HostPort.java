package dev.aimesh.cli;

import java.net.InetSocketAddress;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Parses {@code HOST:PORT} (and {@code [v6]:PORT}); port 0 asks the system for a free port. */
final class HostPort implements ITypeConverter<InetSocketAddress> {
    @Override
    public InetSocketAddress convert(String value) {
        return parse(value);
    }

    /** {@code host:port} as the ready line and the logs print it. */
    static String format(InetSocketAddress address) {
        return address.getHostString() + ":" + address.getPort();
    }

    static InetSocketAddress parse(String value) {
        int colon = value.lastIndexOf(':');
        if (colon <= 0 || colon == value.length() - 1) {
            throw new TypeConversionException("'" + value + "' is not HOST:PORT (e.g. 127.0.0.1:15012)");
        }
        String host = value.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(value.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new TypeConversionException("'" + value + "': the port is not a number");
        }
        if (port < 0 || port > 65535) {
            throw new TypeConversionException("'" + value + "': port " + port + " is out of range (expected: 0 to 65535)");
        }
        return new InetSocketAddress(host, port);
    }
}
