package dev.aimesh.demo;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;
import java.time.Duration;

/** The command line of {@link DemoModelMain}, decoded. */
public record DemoModelOptions(InetSocketAddress listen, String model, Duration tokenDelay) {
    public static final String USAGE = """
            Usage: aimesh-demo-model [--listen HOST:PORT] [--model NAME] [--token-delay-ms MILLIS]
            Serves a small sentiment model over the OpenAI chat API (/v1) and KServe v2 (/v2).
              --listen HOST:PORT       where to listen (default 127.0.0.1:8000; port 0 picks a free port)
              --model NAME             the model name clients ask for (default sentiment-v1)
              --token-delay-ms MILLIS  pause before each streamed word (default 20; 0 for none)
            Example: aimesh-demo-model --listen 127.0.0.1:0 --model sentiment-v1""";

    public DemoModelOptions {
        requireNonNull(listen, "listen");
        requireNonNull(model, "model");
        requireNonNull(tokenDelay, "tokenDelay");
    }

    /** Decodes the arguments; a bad one fails with a message naming it. */
    public static DemoModelOptions parse(String... args) {
        String listen = "127.0.0.1:8000";
        String model = "sentiment-v1";
        long delayMillis = DemoModelServer.DEFAULT_TOKEN_DELAY.toMillis();
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(option.startsWith("--") ? option + ": missing value" : "unexpected argument: " + option);
            }
            String value = args[++i];
            switch (option) {
                case "--listen" -> listen = value;
                case "--model" -> model = value;
                case "--token-delay-ms" -> delayMillis = delayMillis(value);
                default -> throw new IllegalArgumentException("unknown option: " + option);
            }
        }
        if (model.isBlank() || model.contains("/")) {
            throw new IllegalArgumentException("--model: \"" + model + "\" (expected: a non-blank name without '/')");
        }
        return new DemoModelOptions(address(listen), model, Duration.ofMillis(delayMillis));
    }

    /** {@code host:port}, with an IPv6 host in brackets. */
    public static String hostPort(InetSocketAddress address) {
        String host = address.getAddress() != null ? address.getAddress().getHostAddress() : address.getHostString();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    private static InetSocketAddress address(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        String expected = " (expected: HOST:PORT, e.g. 127.0.0.1:8000 or [::1]:8000)";
        if (colon <= 0) {
            throw new IllegalArgumentException("--listen: " + hostPort + expected);
        }
        String host = hostPort.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(hostPort.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--listen: " + hostPort + expected);
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--listen: port " + port + " (expected: 0..65535)");
        }
        InetSocketAddress address = new InetSocketAddress(host, port);
        if (address.isUnresolved()) {
            throw new IllegalArgumentException("--listen: cannot resolve host " + host);
        }
        return address;
    }

    private static long delayMillis(String value) {
        try {
            long millis = Long.parseLong(value);
            if (millis >= 0) {
                return millis;
            }
        } catch (NumberFormatException e) {
            // Falls through to the message below.
        }
        throw new IllegalArgumentException("--token-delay-ms: " + value + " (expected: an integer >= 0)");
    }
}
