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
import dev.aimesh.core.authz.PolicySelection;
import dev.aimesh.core.dlp.DlpRules;
import dev.aimesh.core.identity.SpiffeId;
import dev.aimesh.core.ratelimit.RateLimits;
import dev.aimesh.core.resource.DataLossPreventionPolicy;
import dev.aimesh.core.resource.MeshConfig;
import dev.aimesh.core.resource.RateLimitPolicy;
import dev.aimesh.core.resource.Workload;

/**
 * What {@code aimesh up} shows: an app's call answered by the model through the mesh (plain HTTP into
 * the app's proxy, mTLS between the proxies), the same answer streamed token by token, every other caller
 * getting what the model's authorization policies decide for it (a denial reaching the audit log), a prompt with a
 * card number as the model's data-loss prevention policies decide it, a long streamed answer running into the app's
 * token budget when a rate limit gives it one, and a plaintext call straight to the model's inbound port, which must
 * be refused.
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
        Workload served = model.get().workload();
        String host = served.name() + "." + served.namespace();
        String modelName = served.run().orElseThrow().demoModel();
        HttpClient viaMesh = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .proxy(ProxySelector.of(caller.get().proxy().outboundAddress().orElseThrow()))
                .connectTimeout(Duration.ofSeconds(5)).build();
        URI chat = URI.create("http://" + host + "/v1/chat/completions");
        steps.add(chat(viaMesh, chat, modelName, caller.get(), model.get()));
        steps.add(stream(viaMesh, chat, modelName));
        MeshConfig config = mesh.controlPlane().config();
        String root = config.mesh().authorization().rootNamespace();
        Optional<SpiffeId> callerId = Optional.of(caller.get().identity().svid().id());
        DlpRules dlp = DlpRules.compile(PolicySelection.dataLossPreventionFor(config.dataLossPreventionPolicies(), root,
                served.namespace(), served.name(), served.metadata().labels()), null);
        if (!dlp.isEmpty()) {
            steps.add(cardInPrompt(viaMesh, chat, modelName, dlp, DlpRules.Caller.of(callerId,
                    caller.get().workload().metadata().labels())));
        }
        RateLimits limits = RateLimits.compile(PolicySelection.rateLimitsFor(config.rateLimitPolicies(), root,
                served.namespace(), served.name(), served.metadata().labels()));
        boolean budgeted = limits.applying(callerId, ModelCall.of("POST", chat.getPath()).withBodyModel(Optional.of(modelName)),
                Optional.empty()).stream().anyMatch(a -> a.limit().unit() == RateLimitPolicy.Unit.TOKENS);
        if (budgeted) {
            steps.add(intoTheBudget(viaMesh, chat, modelName));
            steps.add(overTheBudget(viaMesh, chat, modelName));
        }
        Authorizer policies = Authorizer.forWorkload(config, served.namespace(), served.name(), served.metadata().labels());
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
        return attempt(caller.ref() + "'s call", () -> {
            HttpResponse<String> response = postJson(client, uri, body(model, false));
            boolean allowed = response.statusCode() == 200;
            String answer = allowed ? "answered" : "got HTTP " + response.statusCode() + " " + response.body().strip();
            return new Step(allowed == expected.allowed(), String.format("%s called %s: %s%n      (policy: %s)", caller.ref(),
                    uri.getHost(), answer, expected.reason()));
        });
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
        return attempt("the call through the mesh", () -> {
            HttpResponse<String> response = postJson(client, uri, body(model, false));
            if (response.statusCode() != 200) {
                return new Step(false, "the call through the mesh got HTTP " + response.statusCode() + ": " + response.body().strip());
            }
            JsonNode json = JSON.readTree(response.body());
            String content = json.path("choices").path(0).path("message").path("content").asText();
            return new Step(true, String.format("%s called %s through the mesh (mTLS %s -> %s):%n      \"%s\" (%d tokens)",
                    caller.ref(), uri.getHost(), caller.identity().svid().id(), target.identity().svid().id(), content,
                    json.path("usage").path("total_tokens").asInt()));
        });
    }

    private static Step stream(HttpClient client, URI uri, String model) {
        return attempt("the streamed call", () -> {
            Events events = postForEvents(client, uri, body(model, true), Duration.ofSeconds(20));
            boolean ok = events.status() == 200 && events.data().size() > 2;
            return new Step(ok, "the same call with stream: true arrived as " + events.data().size() + " server-sent events");
        });
    }

    /** A prompt with a (test) card number: refused before the model sees it where a policy blocks cards, else answered. */
    private static Step cardInPrompt(HttpClient client, URI uri, String model, DlpRules rules, DlpRules.Caller caller) {
        String body = "{\"model\":\"" + model + "\",\"max_tokens\":12,\"messages\":[{\"role\":\"user\",\"content\":"
                + "\"Charge my card 4111 1111 1111 1111 for the upgrade\"}]}";
        boolean blocks = "blocked".equals(DlpCheck.of(rules, DataLossPreventionPolicy.Direction.REQUEST, caller,
                body.getBytes(java.nio.charset.StandardCharsets.UTF_8)).get("outcome"));
        return attempt("the call with a card number", () -> {
            HttpResponse<String> response = postJson(client, uri, body);
            boolean refused = response.statusCode() == 403
                    && "dlp-blocked".equals(response.headers().firstValue("x-aimesh-reason").orElse(""));
            String what = refused ? "was refused before the model saw it: HTTP 403 " + response.body().strip()
                    : "got HTTP " + response.statusCode();
            return new Step(refused == blocks, "a prompt with a card number " + what);
        });
    }

    /**
     * A long answer ({@code min_tokens}, no {@code max_tokens}: only the prompt is reserved) streamed until the app's
     * token budget runs out: the model's proxy ends it with an error event.
     */
    private static Step intoTheBudget(HttpClient client, URI uri, String model) {
        String body = "{\"model\":\"" + model + "\",\"min_tokens\":500,\"stream\":true,\"messages\":[{\"role\":\"user\","
                + "\"content\":\"Tell me everything about this assistant\"}]}";
        return attempt("the long streamed call", () -> {
            Events events = postForEvents(client, uri, body, Duration.ofSeconds(60));
            List<String> data = events.data();
            String last = data.isEmpty() ? "" : data.get(data.size() - 1);
            boolean ended = events.status() == 200 && last.contains("\"code\":\"token-budget-exhausted\"");
            if (!ended) {
                return new Step(false, "the long streamed answer was not stopped by the token budget (HTTP "
                        + events.status() + ", last event: " + last + ")");
            }
            String message = JSON.readTree(last.substring("data: ".length())).path("error").path("message").asText();
            return new Step(true, String.format("a long streamed answer ran into the app's token budget after %d events:%n"
                    + "      %s", data.size() - 1, message));
        });
    }

    /** The app's next call, with its budget spent: 429 with Retry-After, and the model never sees it. */
    private static Step overTheBudget(HttpClient client, URI uri, String model) {
        return attempt("the call over the budget", () -> {
            HttpResponse<String> response = postJson(client, uri, body(model, false));
            boolean limited = response.statusCode() == 429;
            return new Step(limited, String.format("the app's next call got HTTP %d (Retry-After: %s):%n      %s",
                    response.statusCode(), response.headers().firstValue("retry-after").orElse("none"), response.body().strip()));
        });
    }

    /** A streamed answer's status and its events' {@code data:} lines. */
    private record Events(int status, List<String> data) {}

    private static Events postForEvents(HttpClient client, URI uri, String body, Duration timeout)
            throws IOException, InterruptedException {
        HttpResponse<java.util.stream.Stream<String>> response = client.send(HttpRequest.newBuilder(uri).timeout(timeout)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofLines());
        try (var lines = response.body()) {
            return new Events(response.statusCode(), lines.filter(l -> l.startsWith("data: ")).toList());
        }
    }

    private static HttpResponse<String> postJson(HttpClient client, URI uri, String body) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A step's calls, which may fail. */
    @FunctionalInterface
    private interface Attempt {
        Step run() throws IOException, InterruptedException;
    }

    /** Runs a step's calls: one that fails makes the step fail, saying what failed and why. */
    private static Step attempt(String what, Attempt attempt) {
        try {
            return attempt.run();
        } catch (IOException e) {
            return new Step(false, what + " failed: " + e.getMessage());
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
