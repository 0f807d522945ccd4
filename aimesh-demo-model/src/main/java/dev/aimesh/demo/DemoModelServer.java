package dev.aimesh.demo;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The demo model over HTTP/1.1: the OpenAI chat API under {@code /v1} and the Open Inference Protocol (KServe v2)
 * under {@code /v2}, on one port. Every exchange runs on its own virtual thread, so a slow streaming client holds
 * nothing but itself. Bad requests get a 4xx with a JSON error shaped like the API of their path.
 */
public final class DemoModelServer implements AutoCloseable {
    public static final int MAX_BODY_BYTES = 1024 * 1024;
    public static final Duration DEFAULT_TOKEN_DELAY = Duration.ofMillis(20);
    private static final Logger log = LoggerFactory.getLogger(DemoModelServer.class);
    // An oversized body is read and dropped up to this much, so the client reads our 413 rather than a reset.
    private static final long MAX_DRAIN_BYTES = 64L * 1024 * 1024;

    private final HttpServer server;
    private final ExecutorService executor;
    private final Router router = new Router();

    /**
     * Starts listening at once; the model comes trained.
     *
     * @param tokenDelay the pause before each streamed word, so clients see tokens arrive; zero for none
     */
    public DemoModelServer(InetSocketAddress listen, SentimentModel model, InstantSource clock, Duration tokenDelay) {
        requireNonNull(listen, "listen");
        requireNonNull(model, "model");
        requireNonNull(clock, "clock");
        requireNonNull(tokenDelay, "tokenDelay");
        if (tokenDelay.isNegative()) {
            throw new IllegalArgumentException("tokenDelay: " + tokenDelay + " (expected: >= 0)");
        }
        new OpenAiApi(model, clock, tokenDelay).addRoutes(router);
        new OpenInferenceApi(model).addRoutes(router);
        try {
            server = HttpServer.create(listen, 0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + listen + ": " + e.getMessage(), e);
        }
        executor = Executors.newVirtualThreadPerTaskExecutor();
        server.setExecutor(executor);
        server.createContext("/", this::serve);
        server.start();
    }

    /** The address the server is bound to, with the port the OS chose when asked for port 0. */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    @Override
    public void close() {
        server.stop(0);
        // Interrupts streams still pausing between words; they end instead of holding the JVM.
        executor.shutdownNow();
    }

    private void serve(HttpExchange exchange) {
        try (exchange) {
            write(exchange, respond(exchange));
        } catch (IOException e) {
            log.debug("{} {}: the client went away: {}", exchange.getRequestMethod(), exchange.getRequestURI(), e.toString());
        } catch (RuntimeException e) {
            log.error("{} {} failed while streaming", exchange.getRequestMethod(), exchange.getRequestURI(), e);
        }
    }

    private Response respond(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getPath();
        try {
            return switch (router.match(method, path)) {
                case Router.Match.NotFound notFound ->
                        Response.errorFor(path, 404, "no such endpoint: " + path, "not_found");
                case Router.Match.WrongMethod wrong -> {
                    Response.JsonBody error = Response.errorFor(path, 405, "method " + method + " is not allowed on " + path
                            + " (allowed: " + String.join(", ", wrong.allowed()) + ")", "method_not_allowed");
                    yield new Response.JsonBody(405, error.body(), Map.of("Allow", String.join(", ", wrong.allowed())));
                }
                case Router.Match.Found found -> {
                    byte[] body = readBody(exchange.getRequestBody());
                    yield body == null
                            ? Response.errorFor(path, 413, "the request body is larger than 1 MiB", "request_too_large")
                            : found.route().handle(new ApiRequest(method, path, found.variables(), body));
                }
            };
        } catch (InvalidRequestException e) {
            return Response.errorFor(path, 400, e.getMessage(), "invalid_request");
        } catch (RuntimeException e) {
            log.error("{} {} failed", method, path, e);
            return Response.errorFor(path, 500, "internal error", "internal_error");
        }
    }

    /** The body, or {@code null} when it is larger than {@link #MAX_BODY_BYTES}. */
    private static byte[] readBody(InputStream in) throws IOException {
        byte[] body = in.readNBytes(MAX_BODY_BYTES + 1);
        if (body.length <= MAX_BODY_BYTES) {
            return body;
        }
        long drained = 0;
        for (long n; drained < MAX_DRAIN_BYTES && (n = in.skip(MAX_DRAIN_BYTES - drained)) > 0; ) {
            drained += n;
        }
        return null;
    }

    private static void write(HttpExchange exchange, Response response) throws IOException {
        switch (response) {
            case Response.JsonBody json -> {
                byte[] body = Json.bytes(json.body());
                json.headers().forEach(exchange.getResponseHeaders()::set);
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(json.status(), body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
            case Response.EventStream stream -> {
                exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
                exchange.getResponseHeaders().set("Cache-Control", "no-cache");
                // Length 0 selects chunked transfer: each flush of ServerSentEvents goes out as one chunk.
                exchange.sendResponseHeaders(200, 0);
                try (OutputStream out = exchange.getResponseBody()) {
                    stream.source().writeTo(new ServerSentEvents(out));
                }
            }
        }
    }
}
