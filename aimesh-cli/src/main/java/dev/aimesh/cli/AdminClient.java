package dev.aimesh.cli;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Talks to a control plane's admin API; failures become {@link CliException}s with a clear sentence. */
final class AdminClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final URI base;
    private final java.nio.file.Path tokenFile;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    /** @param tokenFile the admin token's file, or null when none was given (the first request then says how to give one) */
    AdminClient(String url, java.nio.file.Path tokenFile) {
        this.tokenFile = tokenFile;
        this.base = AdminAccess.base(url);
    }

    JsonNode get(String path) {
        return parse(text(HttpRequest.newBuilder(base.resolve(path)).GET(), path));
    }

    private static JsonNode parse(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new CliException(ExitCodes.FAILED, "the control plane sent something that is not JSON");
        }
    }

    String getText(String path) {
        return text(HttpRequest.newBuilder(base.resolve(path)).GET(), path);
    }

    JsonNode post(String path, Object body) {
        try {
            byte[] json = JSON.writeValueAsBytes(body);
            return parse(text(HttpRequest.newBuilder(base.resolve(path))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(json)), path));
        } catch (IOException e) {
            throw new CliException(ExitCodes.FAILED, "cannot encode the request: " + e.getMessage());
        }
    }

    private String text(HttpRequest.Builder request, String path) {
        HttpResponse<String> response;
        try {
            if (tokenFile != null) {
                request.header("Authorization", "Bearer " + AdminAccess.token(tokenFile));
            }
            response = http.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw AdminAccess.unreachable(base, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(ExitCodes.FAILED, "interrupted");
        }
        if (response.statusCode() >= 400) {
            String message = response.body();
            try {
                message = JSON.readTree(response.body()).path("error").asText(response.body());
            } catch (IOException e) {
                // not JSON: use the body as it is
            }
            throw AdminAccess.refused(response.statusCode(), message, tokenFile);
        }
        return response.body();
    }

}
