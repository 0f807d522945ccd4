package dev.aimesh.controlplane.admin;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.Executors;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin HTTP API on loopback, which the CLI talks to. Routes are {@code METHOD path} to a
 * {@link Route}; answers are JSON (or PEM where asked), errors {@code {"error": "..."}} with a 4xx.
 * Every request passes the {@link AdminRequestGuard} first; what it refuses goes to {@link AdminRefusals}.
 */
public final class AdminServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AdminServer.class);
    private static final int MAX_BODY_BYTES = 64 * 1024;
    public static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    /** A route's answer: status, content type and body. */
    public record Reply(int status, String contentType, byte[] body) {
        public static Reply json(int status, Object value) {
            try {
                return new Reply(status, "application/json", JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(value));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        public static Reply ok(Object value) {
            return json(200, value);
        }

        public static Reply error(int status, String message) {
            return json(status, Map.of("error", message));
        }

        public static Reply text(String contentType, String body) {
            return new Reply(200, contentType, body.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** A handler; {@code body} is the parsed JSON request body (an empty object when none was sent). */
    @FunctionalInterface
    public interface Route {
        Reply handle(JsonNode body);
    }

    private final HttpServer server;

    public AdminServer(InetSocketAddress listen, Map<String, Route> routes, AdminToken token, AdminRefusals refusals) {
        try {
            server = HttpServer.create(listen, 64);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen for the admin API on " + listen + ": " + e.getMessage(), e);
        }
        AdminRequestGuard guard = new AdminRequestGuard(server.getAddress(), token);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", exchange -> serve(exchange, routes, guard, refusals));
        server.start();
    }

    private static void serve(HttpExchange exchange, Map<String, Route> routes, AdminRequestGuard guard, AdminRefusals refusals)
            throws IOException {
        Reply reply;
        try (exchange) {
            String key = exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath();
            Route route = routes.get(key);
            AdminRequestGuard.Request request = new AdminRequestGuard.Request(exchange.getRequestMethod(),
                    exchange.getRequestURI().getPath(), only(exchange, "Host"), only(exchange, "Origin"),
                    only(exchange, "Content-Type"), only(exchange, "Authorization"));
            var refusal = guard.check(request);
            if (refusal.isPresent()) {
                refusals.refused(request, refusal.get(), exchange.getRemoteAddress());
                reply = Reply.json(refusal.get().status(), Map.of("error", refusal.get().reason(), "code", refusal.get().code()));
                if (refusal.get().status() == 401) {
                    exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"aimesh-admin\"");
                }
            } else if (route == null) {
                boolean pathKnown = routes.keySet().stream().anyMatch(k -> k.endsWith(" " + exchange.getRequestURI().getPath()));
                reply = pathKnown ? Reply.error(405, "method " + exchange.getRequestMethod() + " not allowed here")
                        : Reply.error(404, "no such endpoint: " + exchange.getRequestURI().getPath());
            } else {
                reply = handle(route, exchange);
            }
            exchange.getResponseHeaders().set("Content-Type", reply.contentType());
            exchange.sendResponseHeaders(reply.status(), reply.body().length == 0 ? -1 : reply.body().length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(reply.body());
            }
        }
    }

    /**
     * A header's one value; a header sent twice counts as a value no check accepts, so two {@code Host}s
     * or {@code Origin}s cannot pick the one that passes.
     */
    private static String only(HttpExchange exchange, String name) {
        var values = exchange.getRequestHeaders().get(name);
        if (values == null || values.isEmpty()) {
            return null;
        }
        return values.size() == 1 ? values.get(0) : String.join(", ", values);
    }

    private static Reply handle(Route route, HttpExchange exchange) {
        JsonNode body;
        try (InputStream in = exchange.getRequestBody()) {
            byte[] bytes = in.readNBytes(MAX_BODY_BYTES + 1);
            if (bytes.length > MAX_BODY_BYTES) {
                return Reply.error(413, "request body larger than 64 KiB");
            }
            body = bytes.length == 0 ? JSON.createObjectNode() : JSON.readTree(bytes);
        } catch (IOException e) {
            return Reply.error(400, "the request body is not valid JSON");
        }
        try {
            return route.handle(body);
        } catch (IllegalArgumentException e) {
            return Reply.error(400, e.getMessage());
        } catch (IllegalStateException e) {
            return Reply.error(409, e.getMessage());
        } catch (RuntimeException e) {
            log.error("admin API {} failed", exchange.getRequestURI(), e);
            return Reply.error(500, "internal error: " + e);
        }
    }

    public InetSocketAddress address() {
        return server.getAddress();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
