package dev.aimesh.bench.sidebyside;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Reads the status pages of the systems under test, and asks a proxy for a path. */
final class Http {
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private Http() {}

    static String get(String url, Duration timeout) {
        try {
            HttpResponse<String> response = CLIENT.send(HttpRequest.newBuilder(URI.create(url)).timeout(timeout).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("GET " + url + ": " + response.statusCode() + " " + response.body());
            }
            return response.body();
        } catch (IOException e) {
            throw new IllegalStateException("GET " + url + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /**
     * The status of {@code GET path} sent to {@code hostPort} with {@code Host: authority} (which the JDK's client
     * will not set), over a connection of its own.
     */
    static int status(String hostPort, String authority, String path) {
        String[] hp = hostPort.split(":");
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(hp[0], Integer.parseInt(hp[1])), 5000);
            s.setSoTimeout(10_000);
            s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + authority + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            byte[] head = in.readNBytes(12);
            String line = new String(head, StandardCharsets.US_ASCII);
            if (!line.startsWith("HTTP/1.1 ")) {
                throw new IllegalStateException("GET " + path + " via " + hostPort + ": not an HTTP answer: " + line);
            }
            return Integer.parseInt(line.substring(9, 12));
        } catch (IOException e) {
            throw new IllegalStateException("GET " + path + " via " + hostPort + ": " + e.getMessage(), e);
        }
    }
}
