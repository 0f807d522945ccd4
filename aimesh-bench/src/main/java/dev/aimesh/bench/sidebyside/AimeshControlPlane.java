package dev.aimesh.bench.sidebyside;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An aimesh control plane for the run, on the load generator's CPU: it issues the proxies' SVIDs and
 * also the certificates the nginx and haproxy pairs present, so every pair uses the same CA and keys.
 */
final class AimeshControlPlane implements AutoCloseable {
    private static final Pattern ADMIN = Pattern.compile("\"admin\"\\s*:\\s*\"(http://[^\"]+)\"");
    private static final Pattern GRPC = Pattern.compile("\"grpc\"\\s*:\\s*\"([^\"]+)\"");
    static final String TRUST_DOMAIN = "bench.local";
    /** How the harness runs {@code bin/aimesh}: {@code bench/run} has built the distribution already. */
    static final Map<String, String> ENV = Map.of("AIMESH_SKIP_BUILD", "1");

    private final Workspace ws;
    private final Launched process;
    private final String admin;
    private final Path adminToken;
    private final String grpc;

    AimeshControlPlane(Workspace ws, int upstreamPort) {
        this.ws = ws;
        Path config = ws.subdir("aimesh-config");
        ws.file("aimesh-config/mesh.yaml", """
                apiVersion: aimesh.dev/v1alpha1
                kind: Mesh
                metadata: {name: default}
                spec:
                  trustDomain: %s
                  certificates: {workloadLifetime: 12h}
                """.formatted(TRUST_DOMAIN));
        StringBuilder workloads = new StringBuilder();
        for (String name : List.of("client", "server", "peer-client", "peer-server")) {
            workloads.append("""
                    apiVersion: aimesh.dev/v1alpha1
                    kind: Workload
                    metadata: {name: %s, namespace: bench}
                    spec:
                      serviceAccount: %s
                    %s---
                    """.formatted(name, name, name.equals("server") ? "  inbound: {port: 0, upstream: 127.0.0.1:" + upstreamPort + "}\n" : ""));
        }
        ws.file("aimesh-config/workloads.yaml", workloads.toString());
        Path data = ws.subdir("aimesh-data");
        adminToken = data.resolve("admin-token");
        process = Launched.start("aimesh control plane", ws.loadCpus(), List.of(ws.aimesh().toString(), "control-plane",
                "--config-dir", config.toString(), "--data-dir", data.toString(), "--grpc-listen", "127.0.0.1:0",
                "--admin-listen", "127.0.0.1:0"), ENV, ws.dir().resolve("control-plane.log"));
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        Path endpoints = data.resolve("endpoints.json");
        String found = null;
        while (found == null && System.nanoTime() < deadline) {
            try {
                process.failIfExited();
                Matcher m = ADMIN.matcher(Files.exists(endpoints) ? Files.readString(endpoints) : "");
                found = m.find() ? m.group(1) : null;
                if (found == null) {
                    Thread.sleep(50);
                }
            } catch (Exception e) {
                close();
                throw new IllegalStateException("the control plane did not start: " + e.getMessage(), e);
            }
        }
        if (found == null) {
            close();
            throw new IllegalStateException("the control plane wrote no admin address to " + endpoints);
        }
        admin = found;
        try {
            Matcher m = GRPC.matcher(Files.readString(endpoints));
            if (!m.find()) {
                throw new IllegalStateException("the control plane wrote no gRPC address to " + endpoints);
            }
            grpc = m.group(1);
        } catch (java.io.IOException e) {
            close();
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The gRPC address proxies connect to (given to them, so that they need not ask the admin API). */
    String grpc() {
        return grpc;
    }

    String admin() {
        return admin;
    }

    String token(String workload) {
        return Launched.run(List.of(ws.aimesh().toString(), "token", "create", "--workload", "bench/" + workload,
                "--control-plane", admin, "--admin-token-file", adminToken.toString()), Duration.ofSeconds(60)).strip();
    }

    /** An SVID for {@code workload}, fetched as an app would with {@code aimesh svid fetch}. */
    PemFiles fetch(String workload) {
        Path dir = ws.subdir("certs/" + workload);
        Launched.run(List.of(ws.aimesh().toString(), "svid", "fetch", "--token", token(workload), "--out", dir.toString(),
                "--control-plane", admin, "--admin-token-file", adminToken.toString()), Duration.ofSeconds(60));
        return PemFiles.in(dir);
    }

    /**
     * Puts an ALLOW AuthorizationPolicy of {@code rules} rules on the server workload: every rule names A's
     * principal and GET, and all but the last a path the benchmark never asks for, so that a request is allowed only
     * by the last rule and every rule before it is looked at. Returns the file; delete it to lift the policy.
     */
    Path writeAuthorizationPolicy(int rules) {
        StringBuilder yaml = new StringBuilder("""
                apiVersion: security.istio.io/v1
                kind: AuthorizationPolicy
                metadata: {name: bench-callers, namespace: bench}
                spec:
                  targetRefs: [{group: aimesh.dev, kind: Workload, name: server}]
                  action: ALLOW
                  rules:
                """);
        String principal = TRUST_DOMAIN + "/ns/bench/sa/client";
        for (int i = 1; i < rules; i++) {
            yaml.append("  - from: [{source: {principals: [\"").append(principal).append("\"]}}]\n")
                    .append("    to: [{operation: {methods: [GET], paths: [\"/api/v").append(i).append("/*\"]}}]\n");
        }
        yaml.append("  - from: [{source: {principals: [\"").append(principal).append("\"]}}]\n")
                .append("    to: [{operation: {methods: [GET], paths: [/1k, /2b, /xfcc, \"/sse/*\"]}}]\n");
        return ws.file("aimesh-config/authorization.yaml", yaml.toString());
    }

    @Override
    public void close() {
        process.close();
    }
}
