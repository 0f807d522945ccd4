package dev.aimesh.cli;

import java.io.IOException;
import java.net.ConnectException;
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
        try {
            URI uri = URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
            if (!"http".equals(uri.getScheme()) || uri.getHost() == null) {
                throw new IllegalArgumentException();
            }
            this.base = uri;
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCodes.USAGE, "--control-plane: '" + url
                    + "' is not an admin URL (expected: e.g. http://127.0.0.1:15014)");
        }
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

    /** The token, read for each request: the control plane writes a new one on every start. */
    private String token() {
        try {
            String token = java.nio.file.Files.readString(tokenFile).strip();
            if (token.isEmpty()) {
                throw new CliException(ExitCodes.UNAUTHORIZED, tokenFile + ": the admin token file is empty");
            }
            return token;
        } catch (java.nio.file.NoSuchFileException e) {
            throw new CliException(ExitCodes.UNAUTHORIZED, tokenFile + ": no admin token there (the control plane writes it"
                    + " to <data-dir>/admin-token when it starts)");
        } catch (IOException e) {
            throw new CliException(ExitCodes.UNAUTHORIZED, tokenFile + ": cannot read the admin token: " + e.getMessage());
        }
    }

    private String text(HttpRequest.Builder request, String path) {
        HttpResponse<String> response;
        try {
            if (tokenFile != null) {
                request.header("Authorization", "Bearer " + token());
            }
            response = http.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw new CliException(ExitCodes.UNREACHABLE, "no control plane answers at " + base
                    + " (is it running? pass --control-plane with its admin address)");
        } catch (IOException e) {
            throw new CliException(ExitCodes.UNREACHABLE, "cannot talk to the control plane at " + base + ": " + e.getMessage());
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
            if (response.statusCode() == 401 && tokenFile == null) {
                throw new CliException(ExitCodes.UNAUTHORIZED, "the admin API needs its token: pass --admin-token-file"
                        + " <data-dir>/admin-token of the control plane, or set AIMESH_ADMIN_TOKEN_FILE");
            }
            if (response.statusCode() == 401) {
                throw new CliException(ExitCodes.UNAUTHORIZED, "the control plane refused the admin token from " + tokenFile
                        + ": " + message.strip());
            }
            throw new CliException(response.statusCode() == 422 ? ExitCodes.CONFIG_INVALID : ExitCodes.FAILED, message.strip());
        }
        return response.body();
    }

}
