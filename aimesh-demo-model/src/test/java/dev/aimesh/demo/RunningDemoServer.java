package dev.aimesh.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** A demo model server on 127.0.0.1 and a port the OS picked, with a real HTTP client to call it. */
final class RunningDemoServer implements AutoCloseable {
    static final String MODEL = "sentiment-v1";
    static final Instant NOW = Instant.parse("2026-03-04T05:06:07Z");
    static final ObjectMapper JSON = new ObjectMapper();
    private static final SentimentModel TRAINED = SentimentModel.bundled(MODEL);

    /** A response read whole. */
    record Reply(int status, HttpHeaders headers, String body) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON (" + status + "): " + body, e);
            }
        }
    }

    final DemoModelServer server;
    final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    RunningDemoServer(Duration tokenDelay) {
        server = new DemoModelServer(new InetSocketAddress("127.0.0.1", 0), TRAINED, InstantSource.fixed(NOW), tokenDelay);
    }

    static SentimentModel model() {
        return TRAINED;
    }

    URI uri(String path) {
        return URI.create("http://" + DemoModelOptions.hostPort(server.address()) + path);
    }

    Reply get(String path) {
        return send("GET", path, null);
    }

    Reply post(String path, String body) {
        return send("POST", path, body);
    }

    Reply send(String method, String path, String body) {
        HttpRequest request = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build();
        try {
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            return new Reply(response.statusCode(), response.headers(), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Override
    public void close() {
        server.close();
        client.close();
    }
}
