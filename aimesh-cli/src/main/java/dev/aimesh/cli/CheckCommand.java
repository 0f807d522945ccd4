package dev.aimesh.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import dev.aimesh.core.ai.ModelCall;
import dev.aimesh.core.authz.Authorizer;
import dev.aimesh.core.authz.AuthzDecision;
import dev.aimesh.core.authz.AuthzRequest;
import dev.aimesh.core.authz.IpBlock;
import dev.aimesh.core.authz.PolicySelection;
import dev.aimesh.core.dlp.DlpRules;
import dev.aimesh.core.http.RequestPath;
import dev.aimesh.core.identity.SpiffeId;
import dev.aimesh.core.resource.DataLossPreventionPolicy.Direction;
import dev.aimesh.core.resource.MeshConfig;
import dev.aimesh.core.resource.Workload;

@Command(name = "check", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Says whether a request would be allowed, and which policy and rule decided; with --body or"
                + " --response-body, what data-loss prevention finds and what the model or the caller would receive.",
                "It runs the proxy's own path normalization and policy evaluation, on the config of a running control"
                        + " plane or, with --config-dir, on a directory of YAML. Exit code 0: allowed, 5: denied."},
        footerHeading = "%nExamples:%n",
        footer = {"  aimesh check --from spiffe://cluster.local/ns/apps/sa/chat --to models/llm --method POST --path /v1/chat/completions",
                "  aimesh check --config-dir examples/quickstart --from cluster.local/ns/apps/sa/web --to sentiment-model \\",
                "      --method POST --path /v1/classify --at 2026-12-01T03:00:00Z -o json",
                "  aimesh check --config-dir examples/quickstart --from cluster.local/ns/apps/sa/web --to sentiment-model \\",
                "      --method POST --path /v1/chat/completions --body prompt.json"})
final class CheckCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    CommandSpec spec;

    @Option(names = "--from", paramLabel = "SPIFFE_ID", description = "The caller's identity (spiffe://td/ns/N/sa/S or"
            + " Istio's td/ns/N/sa/S); leave out for a caller without one.")
    String from;

    @Option(names = "--to", paramLabel = "WORKLOAD", required = true, description = "The workload called: name or namespace/name.")
    String to;

    @Option(names = "--method", paramLabel = "M", defaultValue = "GET", description = "HTTP method (default: ${DEFAULT-VALUE}).")
    String method;

    @Option(names = "--path", paramLabel = "P", defaultValue = "/", description = "Request path, query included (default: ${DEFAULT-VALUE}).")
    String path;

    @Option(names = "--host", paramLabel = "HOST", description = "Host header (default: <name>.<namespace>).")
    String host;

    @Option(names = "--header", paramLabel = "NAME=VALUE", description = "A request header (repeatable).")
    List<String> headers = new ArrayList<>();

    @Option(names = "--jwt", paramLabel = "FILE", description = "A JWT whose claims the request carries; its signature"
            + " is not checked here (the proxy checks it per RequestAuthentication).")
    Path jwt;

    @Option(names = "--model", paramLabel = "NAME", description = "The model the request body names (OpenAI-style 'model').")
    String model;

    @Option(names = "--at", paramLabel = "TIME", description = "When the request is made, e.g. 2026-12-01T03:00:00Z (default: now).")
    String at;

    @Option(names = "--source-ip", paramLabel = "IP", defaultValue = "127.0.0.1", description = "The caller's address (default: ${DEFAULT-VALUE}).")
    String sourceIp;

    @Option(names = "--port", paramLabel = "PORT", description = "Destination port, as ports and destination.port see it"
            + " (default: the workload's upstream port).")
    Integer port;

    @Option(names = "--body", paramLabel = "FILE", description = "A request body (a prompt): which DataLossPreventionPolicy"
            + " detectors fire on it, and what the model would receive.")
    Path body;

    @Option(names = "--response-body", paramLabel = "FILE", description = "A response body of the model: what the caller would"
            + " receive after data-loss prevention.")
    Path responseBody;

    @Option(names = "--config-dir", paramLabel = "DIR", description = "Evaluate this directory of YAML instead of asking a control plane.")
    Path configDir;

    @Mixin
    ControlPlaneMixin controlPlane;

    @Mixin
    OutputMixin output;

    @Override
    public Integer call() {
        MeshConfig config = MeshConfigs.load(configDir, controlPlane);
        Workload workload = config.workload(to).orElseThrow(() -> new CliException(ExitCodes.USAGE, "no workload '" + to
                + "' in the config (known: " + String.join(", ", config.workloads().stream().map(w -> w.namespace() + "/" + w.name()).toList()) + ")"));
        String normalized = switch (RequestPath.normalize(path)) {
            case RequestPath.Result.Normalized n -> n.path();
            case RequestPath.Result.Refused r -> {
                print(Map.of("verdict", "deny", "status", 400, "reason", "the proxy refuses the path: " + r.reason()));
                yield null;
            }
        };
        if (normalized == null) {
            return ExitCodes.DENIED;
        }
        AuthzRequest request = request(workload, normalized);
        AuthzDecision decision = Authorizer.forWorkload(config, workload.namespace(), workload.name(),
                workload.metadata().labels()).decide(request);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("verdict", decision.verdict());
        result.put("status", decision.allowed() ? 200 : 403);
        result.put("policy", decision.policy().orElse(null));
        result.put("rule", decision.rule() < 0 ? null : decision.rule());
        result.put("reason", decision.reason());
        result.put("path", normalized);
        if (!decision.audited().isEmpty()) {
            result.put("audited", decision.audited());
        }
        decision.dryRun().ifPresent(d -> result.put("dryRun", Map.of("verdict", d.verdict(), "reason", d.reason())));
        boolean blocked = false;
        if (decision.allowed() && (body != null || responseBody != null)) {
            DlpRules rules = DlpRules.compile(PolicySelection.dataLossPreventionFor(config.dataLossPreventionPolicies(),
                    config.mesh().authorization().rootNamespace(), workload.namespace(), workload.name(),
                    workload.metadata().labels()), null);
            Optional<SpiffeId> caller = peer();
            DlpRules.Caller who = DlpRules.Caller.of(caller, caller.flatMap(id -> config.workloads().stream()
                    .filter(w -> config.spiffeIdOf(w).equals(id)).findFirst()).map(w -> w.metadata().labels()).orElse(Map.of()));
            Map<String, Object> dlp = new LinkedHashMap<>();
            if (body != null) {
                Map<String, Object> checked = DlpCheck.of(rules, Direction.REQUEST, who, read(body, "--body"));
                dlp.put("request", checked);
                blocked = "blocked".equals(checked.get("outcome"));
            }
            if (responseBody != null && !blocked) {
                Map<String, Object> checked = DlpCheck.of(rules, Direction.RESPONSE, who, read(responseBody, "--response-body"));
                dlp.put("response", checked);
                blocked = "blocked".equals(checked.get("outcome"));
            }
            result.put("dlp", dlp);
            if (blocked) {
                result.put("verdict", "deny");
                result.put("status", 403);
                result.put("reason", "data-loss prevention blocks it");
            }
        }
        print(result);
        return decision.allowed() && !blocked ? ExitCodes.OK : ExitCodes.DENIED;
    }

    private static byte[] read(Path file, String option) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new CliException(ExitCodes.USAGE, option + " " + file + ": cannot be read (" + e.getMessage() + ")");
        }
    }

    private void print(Map<String, Object> result) {
        PrintWriter out = spec.commandLine().getOut();
        if (output.json()) {
            out.println(OutputMixin.toJson(JSON.valueToTree(result)));
            return;
        }
        out.printf("%s  %s%n", result.get("verdict").toString().toUpperCase(Locale.ROOT), result.get("reason"));
        if (result.get("path") != null && !path.startsWith(result.get("path").toString())) {
            out.printf("  decided on the normalized path %s%n", result.get("path"));
        }
        if (result.containsKey("audited")) {
            out.printf("  audited by %s%n", result.get("audited"));
        }
        if (result.get("dryRun") instanceof Map<?, ?> dry) {
            out.printf("  dry-run policies would make it: %s (%s)%n", dry.get("verdict"), dry.get("reason"));
        }
        if (result.get("dlp") instanceof Map<?, ?> dlp) {
            dlp.forEach((direction, checked) -> DlpCheck.print(out, direction.toString(), (Map<?, ?>) checked));
        }
    }

    private AuthzRequest request(Workload workload, String normalized) {
        Map<String, String> headerMap = new LinkedHashMap<>();
        for (String h : headers) {
            int eq = h.indexOf('=');
            if (eq <= 0) {
                throw new CliException(ExitCodes.USAGE, "--header " + h + ": expected NAME=VALUE");
            }
            headerMap.put(h.substring(0, eq).toLowerCase(Locale.ROOT), h.substring(eq + 1));
        }
        Instant time;
        try {
            time = at == null ? Instant.now() : Instant.parse(at);
        } catch (DateTimeParseException e) {
            throw new CliException(ExitCodes.USAGE, "--at " + at + ": not an instant (expected e.g. 2026-12-01T03:00:00Z)");
        }
        byte[] ip = IpBlock.literal(sourceIp).orElseThrow(() -> new CliException(ExitCodes.USAGE,
                "--source-ip " + sourceIp + ": not an IP address"));
        int destinationPort = port != null ? port
                : workload.inbound().flatMap(Workload.Inbound::upstream).map(u -> u.port()).orElse(0);
        return AuthzRequest.builder(method.toUpperCase(Locale.ROOT), normalized)
                .peer(peer())
                .sourceIp(ip)
                .destinationPort(destinationPort)
                .host(host != null ? host : workload.name() + "." + workload.namespace())
                .headers(headerMap::get)
                .token(token())
                .model(ModelCall.of(method.toUpperCase(Locale.ROOT), normalized).withBodyModel(Optional.ofNullable(model)))
                .time(time)
                .build();
    }

    private Optional<SpiffeId> peer() {
        if (from == null) {
            return Optional.empty();
        }
        String uri = from.startsWith("spiffe://") ? from : "spiffe://" + from;
        return Optional.of(SpiffeId.tryParse(uri).orElseThrow(() -> new CliException(ExitCodes.USAGE,
                "--from " + from + ": not a SPIFFE ID (expected spiffe://<trust-domain>/ns/<namespace>/sa/<account>)")));
    }

    private Optional<AuthzRequest.Token> token() {
        if (jwt == null) {
            return Optional.empty();
        }
        try {
            String[] parts = Files.readString(jwt).strip().split("\\.");
            if (parts.length < 2) {
                throw new CliException(ExitCodes.USAGE, "--jwt " + jwt + ": not a JWT (expected header.payload.signature)");
            }
            JsonNode claims = JSON.readTree(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
            @SuppressWarnings("unchecked")
            Map<String, Object> map = JSON.convertValue(claims, Map.class);
            List<String> audiences = claims.path("aud").isArray()
                    ? JSON.convertValue(claims.path("aud"), JSON.getTypeFactory().constructCollectionType(List.class, String.class))
                    : claims.hasNonNull("aud") ? List.of(claims.path("aud").asText()) : List.of();
            return Optional.of(new AuthzRequest.Token(claims.path("iss").asText(""), claims.path("sub").asText(""),
                    audiences, claims.path("azp").asText(""), map));
        } catch (IOException | IllegalArgumentException e) {
            throw new CliException(ExitCodes.USAGE, "--jwt " + jwt + ": cannot read its claims: " + e.getMessage());
        }
    }
}
