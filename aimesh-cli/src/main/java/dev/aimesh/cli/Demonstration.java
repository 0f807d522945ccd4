package dev.aimesh.cli;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aimesh.core.ai.ModelCall;
import dev.aimesh.core.authz.Authorizer;
import dev.aimesh.core.authz.AuthzDecision;
import dev.aimesh.core.authz.AuthzRequest;

/**
 * What {@code aimesh up} shows: an app's call answered by the model through the mesh (plain HTTP into
 * the app's proxy, mTLS between the proxies), the same answer streamed token by token, every other caller
 * getting what the model's authorization policies decide for it (a denial reaching the audit log), and a
 * plaintext call straight to the model's inbound port, which must be refused.
 */
final class Demonstration {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Proxies send their security events every second. */
    private static final Duration AUDIT_WAIT = Duration.ofSeconds(10);

    /** One line of the summary and whether it went as it should. */
    record Step(boolean ok, String line) {}

    private Demonstration() {}

    static List<Step> run(LocalMesh mesh) {
        List<Step> steps = new ArrayList<>();
        Optional<LocalMesh.Member> caller = mesh.members().stream().filter(m -> m.proxy().outboundAddress().isPresent()).findFirst();
        Optional<LocalMesh.Member> model = mesh.members().stream().filter(m -> m.model().isPresent()).findFirst();
        if (caller.isEmpty() || model.isEmpty()) {
            steps.add(new Step(true, "no demo call: the config has no workload that calls (outbound) and one with a demo model"));
            return steps;
        }
        String host = model.get().workload().name() + "." + model.get().workload().namespace();
        String modelName = model.get().workload().run().orElseThrow().demoModel();
        HttpClient viaMesh = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .proxy(ProxySelector.of(caller.get().proxy().outboundAddress().orElseThrow()))
                .connectTimeout(Duration.ofSeconds(5)).build();
        URI chat = URI.create("http://" + host + "/v1/chat/completions");
        steps.add(chat(viaMesh, chat, modelName, caller.get(), model.get()));
        steps.add(stream(viaMesh, chat, modelName));
        Authorizer policies = Authorizer.forWorkload(mesh.controlPlane().config(), model.get().workload().namespace(),
                model.get().workload().name(), model.get().workload().metadata().labels());
        mesh.members().stream().filter(m -> m != caller.get() && m.proxy().outboundAddress().isPresent())
                .forEach(other -> {
                    AuthzDecision expected = policies.decide(AuthzRequest.builder("POST", chat.getPath())
                            .peer(Optional.of(other.identity().svid().id())).host(chat.getHost())
                            .model(ModelCall.of("POST", chat.getPath())).time(Instant.now()).build());
                    Path auditLog = mesh.controlPlane().auditLog();
                    int logged = linesIn(auditLog);
                    steps.add(asPolicySays(other, expected, chat, modelName));
                    if (!expected.allowed()) {
                        steps.add(audited(auditLog, logged, other.identity().svid().id().toString()));
                    }
                });
        steps.add(plaintext(model.get().proxy().inboundAddress().orElseThrow()));
        return steps;
    }

    /** Another caller's call gets what the model's policies decide for it, as {@code aimesh check} predicts it. */
    private static Step asPolicySays(LocalMesh.Member caller, AuthzDecision expected, URI uri, String model) {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .proxy(ProxySelector.of(caller.proxy().outboundAddress().orElseThrow()))
                .connectTimeout(Duration.ofSeconds(5)).build();
        try {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body(model, false))).build(),
                    HttpResponse.BodyHandlers.ofString());
            boolean allowed = response.statusCode() == 200;
            String answer = allowed ? "answered" : "got HTTP " + response.statusCode() + " " + response.body().strip();
            return new Step(allowed == expected.allowed(), String.format("%s called %s: %s%n      (policy: %s)", caller.ref(),
                    uri.getHost(), answer, expected.reason()));
        } catch (IOException e) {
            return new Step(false, caller.ref() + "'s call failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Step(false, "interrupted");
        }
    }

    /** The model's proxy reports a denial to the control plane within a second or two; the audit log has it. */
    private static Step audited(Path auditLog, int linesBefore, String caller) {
        long deadline = System.nanoTime() + AUDIT_WAIT.toNanos();
        try {
            while (true) {
                List<String> lines = Files.readAllLines(auditLog);
                for (String line : lines.subList(Math.min(linesBefore, lines.size()), lines.size())) {
                    JsonNode entry = JSON.readTree(line);
                    if (entry.path("type").asText().equals("authz.denied") && entry.path("caller").asText().equals(caller)) {
                        return new Step(true, String.format("the denial is in the audit log: entry %d, reported by %s",
                                entry.path("seq").asLong(), entry.path("reporter").asText()));
                    }
                }
                if (System.nanoTime() > deadline) {
                    return new Step(false, "the denial of " + caller + " did not reach the audit log " + auditLog + " within "
                            + AUDIT_WAIT.toSeconds() + " s");
                }
                Thread.sleep(100);
            }
        } catch (IOException e) {
            return new Step(false, "cannot read the audit log " + auditLog + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Step(false, "interrupted");
        }
    }

    /** How many entries the log has now (the data directory, and so the log, outlives a run). */
    private static int linesIn(Path auditLog) {
        try {
            return Files.readAllLines(auditLog).size();
        } catch (IOException e) {
            return 0;
        }
    }

    private static String body(String model, boolean stream) {
        return "{\"model\":\"" + model + "\",\"max_tokens\":12,\"stream\":" + stream
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"I love how quickly this assistant answers\"}]}";
    }

    private static Step chat(HttpClient client, URI uri, String model, LocalMesh.Member caller, LocalMesh.Member target) {
        try {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body(model, false))).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                return new Step(false, "the call through the mesh got HTTP " + response.statusCode() + ": " + response.body().strip());
            }
            JsonNode json = JSON.readTree(response.body());
            String content = json.path("choices").path(0).path("message").path("content").asText();
            return new Step(true, String.format("%s called %s through the mesh (mTLS %s -> %s):%n      \"%s\" (%d tokens)",
                    caller.ref(), uri.getHost(), caller.identity().svid().id(), target.identity().svid().id(), content,
                    json.path("usage").path("total_tokens").asInt()));
        } catch (IOException e) {
            return new Step(false, "the call through the mesh failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Step(false, "interrupted");
        }
    }

    private static Step stream(HttpClient client, URI uri, String model) {
        try {
            HttpResponse<java.util.stream.Stream<String>> response = client.send(HttpRequest.newBuilder(uri)
                    .timeout(Duration.ofSeconds(20)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body(model, true))).build(), HttpResponse.BodyHandlers.ofLines());
            long events;
            try (var lines = response.body()) {
                events = lines.filter(l -> l.startsWith("data: ")).count();
            }
            boolean ok = response.statusCode() == 200 && events > 2;
            return new Step(ok, "the same call with stream: true arrived as " + events + " server-sent events");
        } catch (IOException e) {
            return new Step(false, "the streamed call failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Step(false, "interrupted");
        }
    }

    private static Step plaintext(InetSocketAddress inbound) {
        HttpClient direct = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        String target = "http://" + LocalMesh.hostPort(inbound) + "/v1/models";
        try {
            HttpResponse<String> response = direct.send(HttpRequest.newBuilder(URI.create(target)).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return new Step(false, "a plaintext call to the model's inbound port was answered (HTTP " + response.statusCode() + ")");
        } catch (IOException e) {
            return new Step(true, "a plaintext call to the model's inbound port " + LocalMesh.hostPort(inbound)
                    + " was refused (mTLS required)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Step(false, "interrupted");
        }
    }
}
