package dev.aimesh.controlplane.admin;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import com.fasterxml.jackson.databind.JsonNode;
import dev.aimesh.controlplane.ControlPlane;
import dev.aimesh.controlplane.admin.AdminServer.Reply;
import dev.aimesh.core.config.Diagnostic;
import dev.aimesh.core.time.Durations;
import dev.aimesh.identity.ca.CaState;
import dev.aimesh.identity.x509.Fingerprints;

/** The admin API's endpoints, each a small function of the control plane's state. */
public final class AdminRoutes {
    static final Duration DEFAULT_TOKEN_TTL = Duration.ofMinutes(10);

    private AdminRoutes() {}

    public static Map<String, AdminServer.Route> of(ControlPlane cp) {
        Map<String, AdminServer.Route> routes = new LinkedHashMap<>();
        routes.put("GET /healthz", body -> Reply.text("text/plain", "ok\n"));
        routes.put("GET /v1/status", body -> Reply.ok(status(cp)));
        routes.put("GET /v1/workloads", body -> Reply.ok(workloads(cp)));
        // what `aimesh proxy` needs before it starts, in a text a proxy reads without a JSON parser
        routes.put("GET /v1/proxy-bootstrap", body -> Reply.text("text/plain", proxyBootstrap(cp)));
        // the accepted config files, as proxies get them: `aimesh check` evaluates them with the proxies' code
        routes.put("POST /v1/config/apply", body -> {
            String name = body.path("name").asText("");
            var problems = cp.applyFile(name, body.path("text").asText(""));
            return problems.isEmpty() ? Reply.ok(Map.of("applied", name))
                    : Reply.json(422, Map.of("error", problems.size() + " problem(s):\n  " + String.join("\n  ",
                            problems.stream().map(Object::toString).toList()), "problems",
                            problems.stream().map(Object::toString).toList()));
        });
        routes.put("GET /v1/config/files", body -> Reply.ok(cp.sources().stream()
                .map(f -> Map.of("name", f.name(), "text", f.text())).toList()));
        routes.put("POST /v1/tokens", body -> createToken(cp, body));
        routes.put("GET /v1/bundle", body -> Reply.text("application/x-pem-file", cp.bundle().pem()));
        routes.put("GET /v1/ca", body -> Reply.ok(ca(cp)));
        routes.put("POST /v1/ca/rotate-root", body -> {
            cp.beginRootRotation(Optional.empty());
            return Reply.ok(ca(cp));
        });
        routes.put("GET /v1/proxies", body -> Reply.ok(cp.connections().all().stream().map(p -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("node", p.nodeId());
            m.put("spiffeId", p.identity().toString());
            m.put("workload", p.workload());
            m.put("inboundAddress", p.inboundAddress());
            m.put("connectedAt", p.connectedAt());
            m.put("ackedVersion", p.ackedVersion());
            m.put("ackedBundleVersion", p.ackedBundleVersion());
            m.put("lastNack", p.lastNack());
            return m;
        }).toList()));
        return routes;
    }

    private static List<Map<String, Object>> workloads(ControlPlane cp) {
        return cp.snapshot().workloads().stream().map(w -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("namespace", w.namespace());
            m.put("name", w.name());
            m.put("spiffeId", w.spiffeId().toString());
            m.put("labels", w.labels());
            m.put("endpoints", w.endpoints());
            cp.config().workload(w.ref()).ifPresent(spec -> {
                spec.inbound().ifPresent(in -> {
                    Map<String, Object> inbound = new LinkedHashMap<>();
                    inbound.put("port", in.port());
                    in.upstream().ifPresent(u -> inbound.put("upstream", u.toString()));
                    inbound.put("protocol", in.protocol() == dev.aimesh.core.resource.Workload.UpstreamProtocol.H2C ? "h2c" : "http");
                    m.put("inbound", inbound);
                });
                spec.outbound().ifPresent(out -> m.put("outbound", Map.of("port", out.port())));
            });
            return m;
        }).toList();
    }

    /** {@code grpc HOST:PORT}, then {@code workload NS/NAME} and its listeners' pairs, one line per workload. */
    static String proxyBootstrap(ControlPlane cp) {
        StringBuilder text = new StringBuilder("grpc ").append(ControlPlane.hostPort(cp.grpcAddress())).append('\n');
        for (var w : cp.snapshot().workloads()) {
            text.append("workload ").append(w.namespace()).append('/').append(w.name());
            cp.config().workload(w.ref()).ifPresent(spec -> {
                spec.inbound().ifPresent(in -> {
                    text.append(" inbound-port ").append(in.port());
                    in.upstream().ifPresent(u -> text.append(" upstream ").append(u));
                    text.append(" protocol ")
                            .append(in.protocol() == dev.aimesh.core.resource.Workload.UpstreamProtocol.H2C ? "h2c" : "http");
                });
                spec.outbound().ifPresent(out -> text.append(" outbound-port ").append(out.port()));
            });
            text.append('\n');
        }
        return text.toString();
    }

    private static Reply createToken(ControlPlane cp, JsonNode body) {
        String workload = body.path("workload").asText("");
        if (workload.isEmpty()) {
            return Reply.error(400, "workload: is required (a Workload's name or namespace/name)");
        }
        Duration ttl = body.hasNonNull("ttl") ? Durations.parse(body.get("ttl").asText()) : DEFAULT_TOKEN_TTL;
        ControlPlane.TokenGrant grant = cp.createToken(workload, ttl);
        Map<String, Object> reply = new LinkedHashMap<>();
        reply.put("token", grant.token());
        reply.put("workload", grant.workload());
        reply.put("spiffeId", grant.spiffeId().toString());
        reply.put("expiresAt", grant.expiresAt());
        return Reply.json(201, reply);
    }

    private static Map<String, Object> status(ControlPlane cp) {
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("trustDomain", cp.trustDomain());
        status.put("grpc", ControlPlane.hostPort(cp.grpcAddress()));
        status.put("admin", "http://" + ControlPlane.hostPort(cp.adminAddress()));
        status.put("configVersion", cp.snapshot().version());
        status.put("workloads", cp.snapshot().workloads().size());
        status.put("proxies", cp.connections().all().size());
        status.put("bundleVersion", cp.bundle().version());
        status.put("workloadCertificateLifetime", Durations.format(cp.ca().workloadLifetime()));
        status.put("rotation", cp.ca().rotation().map(r -> r.phase().name()).orElse("none"));
        status.put("configProblems", cp.lastRejection().stream().map(Diagnostic::toString).toList());
        status.put("dataDir", cp.dataDir().toString());
        return status;
    }

    private static Map<String, Object> ca(ControlPlane cp) {
        CaState state = cp.ca().state();
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("trustDomain", cp.trustDomain());
        result.put("signing", state.signingId());
        result.put("bundleVersion", state.bundleVersion());
        List<Map<String, Object>> roots = state.bundleIds().stream().map(id -> {
            X509Certificate root = state.authorities().get(id).root();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", id);
            m.put("subject", root.getSubjectX500Principal().getName());
            m.put("notAfter", root.getNotAfter().toInstant());
            m.put("spkiSha256", Fingerprints.spkiSha256(root));
            m.put("signing", id.equals(state.signingId()));
            return m;
        }).toList();
        result.put("roots", roots);
        result.put("rotation", state.rotation().map(r -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("phase", r.phase().name());
            m.put("from", r.from());
            m.put("to", r.to());
            m.put("startedAt", r.startedAt());
            r.switchedAt().ifPresent(t -> m.put("switchedAt", t));
            r.retireAt().ifPresent(t -> m.put("retireAt", t));
            m.put("proxiesWithNewBundle", cp.connections().all().stream()
                    .filter(p -> p.ackedBundleVersion() >= state.bundleVersion()).count());
            m.put("proxies", cp.connections().all().size());
            return (Object) m;
        }).orElse(null));
        return result;
    }
}
