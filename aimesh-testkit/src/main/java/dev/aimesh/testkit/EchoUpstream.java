package dev.aimesh.testkit;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A stand-in model server: {@code /echo} answers with what it received (method, path, the
 * x-forwarded-client-cert header, body size); {@code /sse?n=N&gapMs=M} streams N server-sent events; {@code /bytes?n=N}
 * answers N bytes.
 */
public final class EchoUpstream implements AutoCloseable {
    private final HttpServer server;
    private final java.util.concurrent.atomic.AtomicInteger requests = new java.util.concurrent.atomic.AtomicInteger();

    public EchoUpstream() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::echo); // every path counts: a request that got here reached the model
        server.createContext("/echo", this::echo);
        server.createContext("/sse", this::sse);
        server.createContext("/bytes", EchoUpstream::bytes);
        server.createContext("/say", this::say);
        server.createContext("/hang", exchange -> {
            try {
                Thread.sleep(30_000); // a model that never answers in time
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
        });
    }

    public EchoUpstream start() {
        server.start();
        return this;
    }

    public InetSocketAddress address() {
        return server.getAddress();
    }

    /** How many whole requests reached the model so far. */
    public int requests() {
        return requests.get();
    }

    private void echo(HttpExchange exchange) throws IOException {
        // Counted once the whole request is in: a request cut off mid-body never reached the model as a request.
        byte[] body = exchange.getRequestBody().readAllBytes();
        requests.incrementAndGet();
        String xfcc = String.join(" | ", exchange.getRequestHeaders().getOrDefault("x-forwarded-client-cert", java.util.List.of()));
        String answer = "method=" + exchange.getRequestMethod() + "\npath=" + exchange.getRequestURI() + "\nxfcc=" + xfcc
                + "\nbody=" + body.length + "\n" + echoed(exchange, "authorization") + echoed(exchange, "x-user")
                + echoed(exchange, "x-jwt-payload");
        byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain");
        exchange.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** A header line, for the headers tests look at, when the request had it. */
    private static String echoed(HttpExchange exchange, String header) {
        String value = exchange.getRequestHeaders().getFirst(header);
        return value == null ? "" : header + "=" + value + "\n";
    }

    /** {@code /bytes?n=N}: N bytes of 'x' with their length, written as fast as the reader takes them. */
    private static void bytes(HttpExchange exchange) throws IOException {
        long n = Long.parseLong(exchange.getRequestURI().getQuery().replaceAll(".*n=(\\d+).*", "$1"));
        exchange.getRequestBody().readAllBytes();
        exchange.sendResponseHeaders(200, n);
        byte[] block = "x".repeat(16 * 1024).getBytes(StandardCharsets.US_ASCII);
        try (OutputStream out = exchange.getResponseBody()) {
            for (long left = n; left > 0; left -= block.length) {
                out.write(block, 0, (int) Math.min(block.length, left));
            }
        } catch (IOException e) {
            // the caller went away mid-answer
        }
    }

    /**
     * {@code /say}: the request body's text said back as a chat completion would say it, in one JSON body, or with
     * {@code ?stream} as server-sent events of 4 bytes of text each (so a value in it is split across events).
     */
    private void say(HttpExchange exchange) throws IOException {
        String text = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        requests.incrementAndGet();
        boolean stream = exchange.getRequestURI().getQuery() != null && exchange.getRequestURI().getQuery().contains("stream");
        if (!stream) {
            byte[] bytes = ("{\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":\"" + text + "\"}}]}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
            return;
        }
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
        exchange.sendResponseHeaders(200, 0); // chunked
        try (OutputStream out = exchange.getResponseBody()) {
            for (int i = 0; i < text.length(); i += 4) {
                out.write(("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\""
                        + text.substring(i, Math.min(text.length(), i + 4)) + "\"}}]}\n\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
            out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
        }
    }

    private void sse(HttpExchange exchange) throws IOException {
        String query = exchange.getRequestURI().getQuery();
        int n = Integer.parseInt(query.replaceAll(".*n=(\\d+).*", "$1"));
        long gap = Long.parseLong(query.replaceAll(".*gapMs=(\\d+).*", "$1"));
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
        exchange.sendResponseHeaders(200, 0); // chunked
        try (OutputStream out = exchange.getResponseBody()) {
            for (int i = 0; i < n; i++) {
                out.write(("data: token-" + i + "\n\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
                Thread.sleep(gap);
            }
            out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
