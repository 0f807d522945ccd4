package dev.aimesh.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import dev.aimesh.testkit.CliProcess.Result;
import dev.aimesh.testkit.CliProcess;
import dev.aimesh.testkit.EchoUpstream;

/**
 * The CLI as a user runs it: a control-plane process, tokens and SVIDs fetched by separate processes,
 * and the results checked with tools nobody here wrote ({@code openssl}).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CliIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tmp;
    private static Process controlPlane;
    private static String admin;
    private static Path dataDir;

    private static final String POLICY = """
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: sentiment-callers, namespace: models}
            spec:
              targetRefs: [{kind: Service, name: sentiment}]
              rules:
              - from: [{source: {principals: ["cluster.local/ns/apps/sa/chat"]}}]
                to: [{operation: {methods: ["GET"], paths: ["/echo"]}}]
            """;

    @BeforeAll
    static void startControlPlane() throws Exception {
        Path config = Files.createDirectories(tmp.resolve("config"));
        Files.writeString(config.resolve("mesh.yaml"), """
                apiVersion: aimesh.dev/v1alpha1
                kind: Mesh
                metadata: {name: default}
                spec:
                  trustDomain: cli.example
                  certificates: {workloadLifetime: 30m}
                """);
        Files.writeString(config.resolve("workloads.yaml"), """
                apiVersion: aimesh.dev/v1alpha1
                kind: Workload
                metadata: {name: sentiment, namespace: models}
                ---
                apiVersion: aimesh.dev/v1alpha1
                kind: Workload
                metadata: {name: chat, namespace: apps}
                spec:
                  outbound: {port: 0}
                """);
        Files.writeString(config.resolve("policies.yaml"), POLICY);
        dataDir = tmp.resolve("data");
        controlPlane = CliProcess.start(CliProcess.aimeshCommand("control-plane", "--config-dir", config.toString(),
                "--data-dir", dataDir.toString(), "--grpc-listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0"),
                tmp.resolve("control-plane.log"));
        Path endpoints = dataDir.resolve("endpoints.json");
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(endpoints) || !controlPlane.isAlive());
        assertThat(controlPlane.isAlive()).as(() -> log()).isTrue();
        admin = JSON.readTree(endpoints.toFile()).get("admin").asText();
    }

    @AfterAll
    static void stopControlPlane() throws Exception {
        controlPlane.destroy(); // SIGTERM: the shutdown hook closes it cleanly
        assertThat(controlPlane.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    }

    private static String log() {
        try {
            return Files.readString(tmp.resolve("control-plane.log"));
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }

    private static Result aimesh(String... args) {
        return CliProcess.aimesh(concat(args, new String[] {"--control-plane", admin, "--admin-token-file", tokenFile()}));
    }

    private static String tokenFile() {
        return dataDir.resolve("admin-token").toString();
    }

    private static Result openssl(String... args) {
        List<String> command = new java.util.ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        return CliProcess.run(command, Map.of(), Duration.ofSeconds(30));
    }

    @Test
    @Order(1)
    void aFetchedSvidVerifiesWithOpensslAndCarriesExactlyTheWorkloadsId() throws Exception {
        Result token = aimesh("token", "create", "--workload", "sentiment");
        assertThat(token.exit()).as(token::toString).isZero();
        Path out = tmp.resolve("svid");
        Instant before = Instant.now();
        Result fetch = aimesh("svid", "fetch", "--token", token.out().strip(), "--out", out.toString());
        assertThat(fetch.exit()).as(fetch::toString).isZero();
        assertThat(fetch.out()).contains("spiffe://cli.example/ns/models/sa/sentiment");

        Result verify = openssl("verify", "-CAfile", out.resolve("bundle.pem").toString(), out.resolve("svid.pem").toString());
        assertThat(verify.exit()).as(verify::toString).isZero();
        assertThat(verify.out()).contains("svid.pem: OK");

        Result san = openssl("x509", "-in", out.resolve("svid.pem").toString(), "-noout", "-ext", "subjectAltName");
        List<String> names = san.out().lines().skip(1).flatMap(l -> List.of(l.strip().split(",\\s*")).stream()).toList();
        assertThat(names).containsExactly("URI:spiffe://cli.example/ns/models/sa/sentiment");

        Result end = openssl("x509", "-in", out.resolve("svid.pem").toString(), "-noout", "-enddate");
        Instant notAfter = DateTimeFormatter.ofPattern("MMM ppd HH:mm:ss yyyy 'GMT'", Locale.ROOT).withZone(ZoneOffset.UTC)
                .parse(end.out().strip().substring("notAfter=".length()), Instant::from);
        assertThat(notAfter).isBetween(before.plus(Duration.ofMinutes(30)).minusSeconds(5), Instant.now().plus(Duration.ofMinutes(30)));

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve("svid-key.pem")))).isEqualTo("rw-------");

        // The same token a second time: refused, exit code 1, one clear sentence.
        Result again = aimesh("svid", "fetch", "--token", token.out().strip(), "--out", tmp.resolve("again").toString());
        assertThat(again.exit()).isEqualTo(1);
        assertThat(again.err()).startsWith("aimesh: the control plane refused: join token").contains("was already used");
        assertThat(tmp.resolve("again")).doesNotExist();
    }

    @Test
    @Order(2)
    void theControlPlaneSpeaksTls13WithClientCertificatesToOpensslSClient() throws Exception {
        Path out = tmp.resolve("svid");
        String grpc = JSON.readTree(dataDir.resolve("endpoints.json").toFile()).get("grpc").asText();
        Result handshake = openssl("s_client", "-connect", grpc, "-CAfile", out.resolve("bundle.pem").toString(),
                "-cert", out.resolve("svid.pem").toString(), "-key", out.resolve("svid-key.pem").toString(), "-alpn", "h2",
                "-brief");
        assertThat(handshake.err() + handshake.out()).contains("TLSv1.3").contains("Verification: OK");
    }

    @Test
    @Order(3)
    void dataCommandsSpeakJsonAndTextAndTheRootRotatesInOneCommand() throws Exception {
        Result workloads = aimesh("get", "workloads", "--output", "json");
        assertThat(workloads.exit()).as(workloads::toString).isZero();
        JsonNode list = JSON.readTree(workloads.out());
        assertThat(list).extracting(w -> w.get("spiffeId").asText())
                .contains("spiffe://cli.example/ns/models/sa/sentiment", "spiffe://cli.example/ns/apps/sa/chat");

        Result rotate = aimesh("certs", "rotate-root", "--wait", "--timeout", "30s");
        assertThat(rotate.exit()).as(rotate::toString).isZero();
        assertThat(rotate.out()).contains("rotation started").contains("the new root now signs");
        Result status = aimesh("certs", "status");
        assertThat(status.out()).contains("leaves the bundle at");
        Result bundle = aimesh("certs", "bundle");
        assertThat(bundle.out().split("BEGIN CERTIFICATE", -1)).hasSize(3);

        Result again = aimesh("certs", "rotate-root");
        assertThat(again.exit()).isEqualTo(1);
        // until when and why: the old root stays trusted until its last certificate has expired
        assertThat(again.err()).as(again::toString).contains("already in progress").containsPattern(
                "the old root \\S+ stays in the trust bundle until \\d{4}-\\d\\d-\\d\\dT[0-9:.]+Z, when the last certificate"
                        + " it signed has expired").contains("a new rotation can start after that");
    }

    @Test
    @Order(4)
    void theAuditTrailRecordsRefusalsAndDetectsTampering() throws Exception {
        Path auditLog = dataDir.resolve("audit").resolve("audit.log");
        Result intact = CliProcess.aimesh("audit", "verify", auditLog.toString());
        assertThat(intact.exit()).as(intact::toString).isZero();
        assertThat(Files.readString(auditLog)).contains("\"type\":\"svid.refused\"").contains("token-already-used");
        Result refusals = CliProcess.aimesh("audit", "show", auditLog.toString(), "--type", "svid", "--outcome", "denied");
        assertThat(refusals.exit()).as(refusals::toString).isZero();
        assertThat(refusals.out()).startsWith("SEQ").contains("svid.refused", "token-already-used").doesNotContain("svid.issued");
        Result asJson = CliProcess.aimesh("audit", "show", auditLog.toString(), "--type", "svid.refused", "-o", "json");
        assertThat(asJson.out().lines()).isNotEmpty().allSatisfy(l -> assertThat(l).contains("\"type\":\"svid.refused\""));
        assertThat(CliProcess.aimesh("audit", "show", tmp.resolve("none.log").toString()).exit()).isEqualTo(2);

        Path copy = tmp.resolve("tampered.log");
        List<String> lines = new java.util.ArrayList<>(Files.readAllLines(auditLog));
        lines.set(1, lines.get(1).replace("\"outcome\":\"info\"", "\"outcome\":\"allowed\""));
        Files.write(copy, lines);
        Result tampered = CliProcess.aimesh("audit", "verify", copy.toString());
        assertThat(tampered.exit()).isEqualTo(1);
        assertThat(tampered.err()).contains("breaks at line 2");
    }

    @Test
    @Order(5)
    void proxyProcessesCarryACallFromAnAppToAModel() throws Exception {
        try (EchoUpstream model = new EchoUpstream().start()) {
            String modelToken = aimesh("token", "create", "--workload", "sentiment").out().strip();
            String appToken = aimesh("token", "create", "--workload", "apps/chat").out().strip();
            Path serverLog = tmp.resolve("proxy-server.log");
            Path clientLog = tmp.resolve("proxy-client.log");
            // The model's proxy runs as bin/aimesh starts one (its own entry point), the app's as the aimesh subcommand.
            Path serverClasses = tmp.resolve("proxy-server-classes.log");
            Process server = CliProcess.start(CliProcess.proxyCommand(List.of("-Xlog:class+load=info:file=" + serverClasses),
                    "--workload", "sentiment", "--token", modelToken, "--control-plane", admin, "--admin-token-file", tokenFile(),
                    "--inbound-listen", "127.0.0.1:0", "--upstream", "127.0.0.1:" + model.address().getPort(), "--concurrency", "1"),
                    serverLog);
            // No listener options: they come from the Workload resource (spec.outbound).
            Process client = CliProcess.start(CliProcess.aimeshCommand("proxy", "--workload", "apps/chat", "--token", appToken,
                    "--control-plane", admin, "--admin-token-file", tokenFile(), "--threads", "1", "--admin-listen", "127.0.0.1:0"),
                    clientLog);
            try {
                java.util.regex.Pattern ready = java.util.regex.Pattern.compile("ready: inbound (\\S+), outbound (\\S+), admin (\\S+)");
                await().atMost(Duration.ofSeconds(30)).until(() -> ready.matcher(Files.readString(clientLog)).find()
                        && ready.matcher(Files.readString(serverLog)).find());
                var matcher = ready.matcher(Files.readString(clientLog));
                assertThat(matcher.find()).isTrue();
                String outbound = matcher.group(2);
                String proxyAdmin = matcher.group(3);
                await().atMost(Duration.ofSeconds(10)).until(() -> JSON.readTree(aimesh("get", "workloads", "-o", "json").out())
                        .findValues("endpoints").stream().anyMatch(e -> e.size() > 0));
                Result call = CliProcess.run(List.of("curl", "-sS", "--max-time", "20", "-x", "http://" + outbound,
                        "http://sentiment.models/echo"), Map.of(), Duration.ofSeconds(30));
                assertThat(call.exit()).as(call::toString).isZero();
                assertThat(call.out()).contains("URI=spiffe://cli.example/ns/apps/sa/chat")
                        .contains("By=spiffe://cli.example/ns/models/sa/sentiment");

                // A second call on a new app connection rides the same connection between the proxies.
                Result again = CliProcess.run(List.of("curl", "-sS", "--max-time", "20", "-x", "http://" + outbound,
                        "http://sentiment.models/echo"), Map.of(), Duration.ofSeconds(30));
                assertThat(again.exit()).as(again::toString).isZero();
                Result stats = CliProcess.run(List.of("curl", "-sS", "--fail", "http://" + proxyAdmin + "/stats"), Map.of(),
                        Duration.ofSeconds(10));
                assertThat(stats.out()).as(stats::toString)
                        .contains("aimesh_proxy_connections_total{side=\"outbound\"} 2\n")
                        .contains("aimesh_proxy_connections_total{side=\"peer\"} 1\n")
                        .contains("aimesh_proxy_requests_total{side=\"peer\"} 2\n");
                Result readiness = CliProcess.run(List.of("curl", "-sS", "--fail", "http://" + proxyAdmin + "/ready"), Map.of(),
                        Duration.ofSeconds(10));
                assertThat(readiness.exit()).as(readiness::toString).isZero();
                Result unknown = CliProcess.run(List.of("curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}",
                        "http://" + proxyAdmin + "/nope"), Map.of(), Duration.ofSeconds(10));
                assertThat(unknown.out()).isEqualTo("404");

                Result proxies = aimesh("get", "proxies");
                assertThat(proxies.out()).contains("spiffe://cli.example/ns/models/sa/sentiment", "spiffe://cli.example/ns/apps/sa/chat");

                // Having joined, verified a peer and served, the lean proxy loaded neither BouncyCastle nor the other commands.
                String loaded = Files.readString(serverClasses);
                assertThat(loaded).contains("dev.aimesh.cli.ProxyMain ", "dev.aimesh.identity.x509.X509SvidVerifier ",
                                "dev.aimesh.cli.ProxyBootstrap ")
                        .as("it asked the control plane for its gRPC address without a JSON parser or java.net.http")
                        .doesNotContain("org.bouncycastle", "dev.aimesh.cli.UpCommand ", "dev.aimesh.cli.Main ",
                                "com.fasterxml.jackson.", "java.net.http.");
            } finally {
                server.destroy();
                client.destroy();
                assertThat(server.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
                assertThat(client.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            }
        }
    }

    private static Result curl(String httpVersion, List<String> args) {
        List<String> command = new java.util.ArrayList<>(List.of("curl", "-sS", httpVersion, "--max-time", "10", "-o", "-",
                "-w", "\n%{http_code}"));
        command.addAll(args);
        return CliProcess.run(command, Map.of(), Duration.ofSeconds(20));
    }

    private static long auditCount(String type) throws java.io.IOException {
        return Files.readAllLines(dataDir.resolve("audit").resolve("audit.log")).stream()
                .filter(l -> l.contains("\"type\":\"" + type + "\"")).count();
    }

    @Test
    void theAdminApiRefusesWhatAWebPageCanForgeAndTheCliStillWorks() throws Exception {
        Path tokenFile = dataDir.resolve("admin-token");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tokenFile))).isEqualTo("rw-------");
        String bearer = "Authorization: Bearer " + Files.readString(tokenFile).strip();
        String port = admin.substring(admin.lastIndexOf(':') + 1);
        String mint = "{\"workload\":\"sentiment\"}";
        record Forged(String what, int status, String reason, List<String> headers) {}
        List<Forged> forged = List.of(
                // a "simple" cross-origin request a page may send without a CORS preflight, under a rebound name
                new Forged("cross-origin text/plain, rebound Host", 403, "is not this admin API",
                        List.of("-H", "Origin: http://evil.example", "-H", "Host: evil.example:" + port, "-H", "Content-Type: text/plain")),
                new Forged("cross-origin text/plain", 403, "Origin 'http://evil.example' is not allowed",
                        List.of("-H", "Origin: http://evil.example", "-H", "Content-Type: text/plain")),
                new Forged("foreign Host, with the token", 403, "Host 'attacker.example:" + port + "' is not this admin API",
                        List.of("-H", "Host: attacker.example:" + port, "-H", "Content-Type: application/json", "-H", bearer)),
                new Forged("foreign Origin, with the token", 403, "is not allowed",
                        List.of("-H", "Origin: null", "-H", "Content-Type: application/json", "-H", bearer)),
                new Forged("text/plain, with the token", 415, "(expected: application/json)",
                        List.of("-H", "Content-Type: text/plain", "-H", bearer)),
                new Forged("no token", 401, "the admin API needs its token", List.of("-H", "Content-Type: application/json")),
                new Forged("wrong token", 401, "the admin token is wrong",
                        List.of("-H", "Content-Type: application/json", "-H", "Authorization: Bearer " + "0".repeat(64))));
        long minted = auditCount("token.created");
        long refusedBefore = auditCount("admin.refused");
        for (String version : List.of("--http1.1", "--http2")) {
            for (Forged f : forged) {
                List<String> args = new java.util.ArrayList<>(List.of("-X", "POST", "--data", mint));
                args.addAll(f.headers());
                args.add(admin + "/v1/tokens");
                Result result = curl(version, args);
                assertThat(result.out()).as(f.what() + " " + version + ": " + result).endsWith("\n" + f.status())
                        .contains(f.reason()).doesNotContain("\"token\"");
            }
            // DNS rebinding reads answers: a page under its own name cannot read the config either
            Result read = curl(version, List.of("-H", "Host: rebound.example:" + port, admin + "/v1/config/files"));
            assertThat(read.out()).as(read::toString).endsWith("\n403").doesNotContain("apiVersion");
            Result anonymous = curl(version, List.of(admin + "/v1/config/files"));
            assertThat(anonymous.out()).as(anonymous::toString).endsWith("\n401").doesNotContain("apiVersion");
        }
        assertThat(auditCount("token.created")).isEqualTo(minted);
        // audited, up to 10 a second (a page looping forged requests cannot fill the disk)
        assertThat(auditCount("admin.refused")).isBetween(refusedBefore + 10, refusedBefore + 2 * (forged.size() + 2));
        assertThat(Files.readString(tmp.resolve("control-plane.log"))).contains("admin API refused POST /v1/tokens");

        // the real CLI, with the token file, still does all of it
        Result token = aimesh("token", "create", "--workload", "sentiment");
        assertThat(token.exit()).as(token::toString).isZero();
        assertThat(auditCount("token.created")).isEqualTo(minted + 1);
        Result status = aimesh("get", "status");
        assertThat(status.exit()).as(status::toString).isZero();

        // without the token file, or with a wrong one: exit code 7 and what to do
        Result none = CliProcess.aimesh("get", "workloads", "--control-plane", admin);
        assertThat(none.exit()).as(none::toString).isEqualTo(7);
        assertThat(none.err()).contains("the admin API needs its token: pass --admin-token-file <data-dir>/admin-token");
        Path wrong = tmp.resolve("wrong-token");
        Files.writeString(wrong, "f".repeat(64));
        Result refused = CliProcess.aimesh("token", "create", "--workload", "sentiment", "--control-plane", admin,
                "--admin-token-file", wrong.toString());
        assertThat(refused.exit()).as(refused::toString).isEqualTo(7);
        assertThat(refused.err()).contains("refused the admin token from " + wrong).contains("the admin token is wrong");
        Result missing = CliProcess.aimesh("get", "workloads", "--control-plane", admin, "--admin-token-file",
                tmp.resolve("nowhere").toString());
        assertThat(missing.exit()).isEqualTo(7);
        assertThat(missing.err()).contains("nowhere: no admin token there");
        // the environment variable works as the flag does
        Result fromEnv = CliProcess.run(CliProcess.aimeshCommand("get", "workloads", "-o", "json"),
                Map.of("AIMESH_CONTROL_PLANE", admin, "AIMESH_ADMIN_TOKEN_FILE", tokenFile.toString()), Duration.ofSeconds(60));
        assertThat(fromEnv.exit()).as(fromEnv::toString).isZero();
    }

    @Test
    void aSecondControlPlaneOnTheSameDataDirectoryExitsAtOnceNamingTheFirstsPid() throws Exception {
        String endpointsBefore = Files.readString(dataDir.resolve("endpoints.json"));
        Result second = CliProcess.aimesh("control-plane", "--config-dir", tmp.resolve("config").toString(), "--data-dir",
                dataDir.toString(), "--grpc-listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0");
        assertThat(second.exit()).as(second::toString).isEqualTo(8);
        assertThat(second.err()).contains(dataDir + " is in use by another control plane (PID " + controlPlane.pid() + ")");
        Result up = CliProcess.aimesh("up", tmp.resolve("config").toString(), "--once", "--data-dir", dataDir.toString());
        assertThat(up.exit()).as(up::toString).isEqualTo(8);
        assertThat(up.err()).contains("(PID " + controlPlane.pid() + ")");
        assertThat(Files.readString(dataDir.resolve("endpoints.json"))).isEqualTo(endpointsBefore);
        assertThat(aimesh("get", "status").exit()).isZero(); // the first one is untouched
    }

    @Test
    void aSecondUpOnTheDataDirectoryOfARunningUpExitsAtOnceAndLeavesItsEndpointsAlone() throws Exception {
        Path data = tmp.resolve("up-twice");
        Path log = tmp.resolve("up-first.log");
        Process first = CliProcess.start(CliProcess.aimeshCommand("up", CliProcess.ROOT.resolve("examples/quickstart").toString(),
                "--data-dir", data.toString()), log);
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> !first.isAlive()
                    || Files.readString(log).contains("the mesh is running"));
            assertThat(first.isAlive()).as(() -> {
                try {
                    return Files.readString(log);
                } catch (java.io.IOException e) {
                    return e.toString();
                }
            }).isTrue();
            String endpoints = Files.readString(data.resolve("endpoints.json"));
            long started = System.nanoTime();
            Result second = CliProcess.aimesh("up", CliProcess.ROOT.resolve("examples/quickstart").toString(), "--once",
                    "--data-dir", data.toString());
            assertThat(second.exit()).as(second::toString).isEqualTo(8);
            assertThat(second.err()).contains(data + " is in use by another control plane (PID " + first.pid() + ")");
            assertThat(second.out()).doesNotContain("identities issued");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(20)); // no joins, no waits
            assertThat(Files.readString(data.resolve("endpoints.json"))).isEqualTo(endpoints);
            // the first mesh still answers on its admin address, with its token
            String firstAdmin = JSON.readTree(endpoints).get("admin").asText();
            Result status = CliProcess.aimesh("get", "status", "--control-plane", firstAdmin, "--admin-token-file",
                    data.resolve("admin-token").toString());
            assertThat(status.exit()).as(status::toString).isZero();
        } finally {
            first.destroy();
            assertThat(first.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void aBrokenAuditChainIsRefusedAtStartAndRecoveredOnlyWhenAskedRecordingTheBreak() throws Exception {
        Path config = tmp.resolve("config");
        Path data = tmp.resolve("chain-data");
        String[] start = {"control-plane", "--config-dir", config.toString(), "--data-dir", data.toString(),
                "--grpc-listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0"};
        runUntilReadyAndStop(start, "chain-1.log");
        Path auditLog = data.resolve("audit").resolve("audit.log");
        List<String> lines = new java.util.ArrayList<>(Files.readAllLines(auditLog));
        assertThat(lines).hasSizeGreaterThanOrEqualTo(2);
        lines.set(1, lines.get(1).replace("\"outcome\":\"info\"", "\"outcome\":\"allowed\""));
        assertThat(lines.get(1)).contains("\"outcome\":\"allowed\"");
        Files.write(auditLog, lines);

        Result refused = CliProcess.aimesh(start);
        assertThat(refused.exit()).as(refused::toString).isEqualTo(9);
        assertThat(refused.err()).contains(auditLog + ": the hash chain breaks at line 2: its hash does not match its content")
                .contains("--audit-recover");
        assertThat(Files.readAllLines(auditLog)).isEqualTo(lines); // nothing appended

        runUntilReadyAndStop(concat(start, new String[] {"--audit-recover"}), "chain-2.log");
        List<String> after = Files.readAllLines(auditLog);
        assertThat(after.subList(0, lines.size())).isEqualTo(lines); // the evidence stays as found
        assertThat(after.get(lines.size())).contains("\"type\":\"audit.recovered\"", "\"broken_line\":\"2\"",
                "\"found\":\"its hash does not match its content (the entry was edited)\"");
        Result verify = CliProcess.aimesh("audit", "verify", auditLog.toString());
        assertThat(verify.exit()).as(verify::toString).isZero();
        assertThat(verify.out()).contains("intact").contains("recorded breaks").contains("line(s) 2");
        // the next start appends to the recovered chain without being asked again
        runUntilReadyAndStop(start, "chain-3.log");
        assertThat(CliProcess.aimesh("audit", "verify", auditLog.toString()).exit()).isZero();

        // a second writer interleaved into the log (two control planes before this lock) is found too
        List<String> twoWriters = new java.util.ArrayList<>(Files.readAllLines(auditLog));
        twoWriters.add(twoWriters.get(0));
        Files.write(auditLog, twoWriters);
        Result interleaved = CliProcess.aimesh(start);
        assertThat(interleaved.exit()).isEqualTo(9);
        assertThat(interleaved.err()).contains("breaks at line " + twoWriters.size() + ": it does not follow the line before");
    }

    private static void runUntilReadyAndStop(String[] args, String logName) throws Exception {
        Path log = tmp.resolve(logName);
        Process process = CliProcess.start(CliProcess.aimeshCommand(args), log);
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> !process.isAlive()
                    || Files.readString(log).contains("control plane ready"));
            assertThat(process.isAlive()).as(() -> {
                try {
                    return Files.readString(log);
                } catch (java.io.IOException e) {
                    return e.toString();
                }
            }).isTrue();
        } finally {
            process.destroy();
            assertThat(process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void badUsageAndUnreachableControlPlanesGetTheirOwnExitCodes() {
        Result unreachable = CliProcess.aimesh("token", "create", "--workload", "x", "--control-plane", "http://127.0.0.1:1");
        assertThat(unreachable.exit()).isEqualTo(4);
        assertThat(unreachable.err()).startsWith("aimesh: no control plane answers at http://127.0.0.1:1");

        Result usage = CliProcess.aimesh("token", "create");
        assertThat(usage.exit()).isEqualTo(2);
        assertThat(usage.err()).contains("Missing required option: '--workload=NAME'");

        Result unknownWorkload = aimesh("token", "create", "--workload", "nope");
        assertThat(unknownWorkload.exit()).isEqualTo(1);
        assertThat(unknownWorkload.err()).isEqualTo("aimesh: no workload 'nope' in the config (known: apps/chat, models/sentiment)\n");

        Result badToken = CliProcess.aimesh("svid", "fetch", "--token", "hello", "--out", "x");
        assertThat(badToken.exit()).isEqualTo(2);
        assertThat(badToken.err()).contains("not an aimesh join token");
    }

    @Test
    void aProxyRefusesAStateDirectoryItCannotTrustWithExitCode1() throws Exception {
        String[] listeners = {"--grpc-address", "127.0.0.1:1", "--outbound-listen", "127.0.0.1:0"};
        Path shared = Files.createDirectories(tmp.resolve("shared-state"));
        Files.setPosixFilePermissions(shared, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxr-x"));
        Result writable = CliProcess.aimesh(concat(new String[] {"proxy", "--state-dir", shared.toString()}, listeners));
        assertThat(writable.exit()).as(writable::toString).isEqualTo(1);
        assertThat(writable.err()).contains(shared + " is writable by group or others (rwxrwxr-x)");

        Path broken = tmp.resolve("broken-state");
        Files.createDirectories(broken, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
        Files.writeString(broken.resolve("snapshot.json"), "{}");
        Result corrupt = CliProcess.aimesh(concat(new String[] {"proxy", "--state-dir", broken.toString()}, listeners));
        assertThat(corrupt.exit()).as(corrupt::toString).isEqualTo(1);
        assertThat(corrupt.err()).contains(broken.resolve("svid-key.pem") + ": missing; refusing to start from this state");

        Result neither = CliProcess.aimesh(concat(new String[] {"proxy"}, listeners));
        assertThat(neither.exit()).isEqualTo(2);
    }

    @Test
    void theProxyEntryPointHasTheSubcommandsHelpAndRefusesABadConcurrency() {
        Result help = CliProcess.run(CliProcess.proxyCommand(List.of(), "--help"), Map.of(), Duration.ofSeconds(60));
        assertThat(help.exit()).isZero();
        assertThat(help.out()).isEqualTo(CliProcess.aimesh("proxy", "--help").out()).contains("--concurrency=N");
        for (String bad : new String[] {"0", "-2", "257"}) {
            Result refused = CliProcess.run(CliProcess.proxyCommand(List.of(), "--concurrency", bad, "--token", "jt1.x",
                    "--grpc-address", "127.0.0.1:1", "--outbound-listen", "127.0.0.1:0"), Map.of(), Duration.ofSeconds(60));
            assertThat(refused.exit()).as(refused::toString).isEqualTo(2);
            assertThat(refused.err()).isEqualTo("aimesh: --concurrency: " + bad + " (expected: 1 to 256 event loops; without the"
                    + " option, one per core this process may use)\n");
        }
        Result notANumber = CliProcess.run(CliProcess.proxyCommand(List.of(), "--concurrency", "two"), Map.of(), Duration.ofSeconds(60));
        assertThat(notANumber.exit()).isEqualTo(2);
        assertThat(notANumber.err()).contains("Invalid value for option '--concurrency': 'two' is not an int");
    }

    private static String[] concat(String[] a, String[] b) {
        return java.util.stream.Stream.concat(java.util.Arrays.stream(a), java.util.Arrays.stream(b)).toArray(String[]::new);
    }

    @Test
    void checkSaysWhetherACallIsAllowedAndWhichRuleDecidedOnlineAndOffline() throws Exception {
        Result allowed = aimesh("check", "--from", "spiffe://cli.example/ns/apps/sa/chat", "--to", "models/sentiment",
                "--path", "/echo", "--at", "2026-12-02T10:00:00Z");
        assertThat(allowed.exit()).as(allowed::toString).isZero();
        assertThat(allowed.out()).contains("ALLOW  allowed by ALLOW policy models/sentiment-callers, rule 0");

        Result delete = aimesh("check", "--from", "cli.example/ns/apps/sa/chat", "--to", "sentiment", "--path", "/echo",
                "--method", "DELETE", "-o", "json");
        assertThat(delete.exit()).as(delete::toString).isEqualTo(5);
        assertThat(JSON.readTree(delete.out()).path("verdict").asText()).isEqualTo("deny");
        assertThat(JSON.readTree(delete.out()).path("reason").asText()).contains("no rule of the ALLOW policy models/sentiment-callers");

        Path config = Files.createDirectories(tmp.resolve("check-config"));
        Files.writeString(config.resolve("all.yaml"), """
                apiVersion: aimesh.dev/v1alpha1
                kind: Workload
                metadata: {name: sentiment, namespace: models}
                ---
                """ + POLICY + "    when: [{key: request.time, values: [\"Mon-Fri\"]}]\n");
        Result weekend = CliProcess.aimesh("check", "--config-dir", config.toString(), "--from", "cluster.local/ns/apps/sa/chat",
                "--to", "sentiment", "--path", "/echo", "--at", "2026-12-05T10:00:00Z");
        assertThat(weekend.exit()).as(weekend::toString).isEqualTo(5);
        Result trick = CliProcess.aimesh("check", "--config-dir", config.toString(), "--from", "cluster.local/ns/apps/sa/chat",
                "--to", "sentiment", "--path", "/x/../echo?q=1", "--at", "2026-12-02T10:00:00Z");
        assertThat(trick.exit()).as(trick::toString).isZero();
        assertThat(trick.out()).contains("decided on the normalized path /echo");
        Result encoded = CliProcess.aimesh("check", "--config-dir", config.toString(), "--to", "sentiment", "--path", "/a%2Fb");
        assertThat(encoded.exit()).isEqualTo(5);
        assertThat(encoded.out()).contains("DENY  the proxy refuses the path: the path has an encoded '/'");

        Files.writeString(config.resolve("all.yaml"), Files.readString(config.resolve("all.yaml")).replace("GET", "GTE"));
        Result invalid = CliProcess.aimesh("check", "--config-dir", config.toString(), "--to", "sentiment");
        assertThat(invalid.exit()).isEqualTo(3);
        assertThat(invalid.err()).contains("all.yaml:12:33: spec.rules[0].to[0].operation.methods[0]: 'GTE' is not an HTTP method");
    }

    @Test
    void checkWithABodySaysWhatDataLossPreventionFindsAndWhatGoesOn() throws Exception {
        String quickstart = CliProcess.ROOT.resolve("examples/quickstart").toString();
        Path prompt = Files.writeString(tmp.resolve("prompt.json"), "{\"text\":\"my card is 4111 1111 1111 1111\"}");
        Result blocked = CliProcess.aimesh("check", "--config-dir", quickstart, "--from", "cluster.local/ns/apps/sa/chat-app",
                "--to", "sentiment-model", "--method", "POST", "--path", "/v1/chat/completions", "--body", prompt.toString());
        assertThat(blocked.exit()).as(blocked::toString).isEqualTo(5);
        assertThat(blocked.out()).contains("DENY  data-loss prevention blocks it", "request body: blocked (payment-card data,"
                + " which policy models/sentiment-data#no-cards-in-prompts blocks)", "payment-card at bytes 20-39: block");

        Path answer = Files.writeString(tmp.resolve("answer.json"), "{\"label\":\"positive\",\"by\":\"ana@example.com\"}");
        Result research = CliProcess.aimesh("check", "--config-dir", quickstart, "--from",
                "cluster.local/ns/research/sa/notebook", "--to", "sentiment-model", "--method", "POST", "--path", "/v1/chat/completions",
                "--response-body", answer.toString(), "-o", "json");
        JsonNode dlp = JSON.readTree(research.out()).path("dlp").path("response");
        assertThat(JSON.readTree(research.out()).path("verdict").asText()).as("the authorization policy denies it first")
                .isEqualTo("deny");
        assertThat(dlp.isMissingNode()).isTrue();
        Result chat = CliProcess.aimesh("check", "--config-dir", quickstart, "--from", "cluster.local/ns/apps/sa/chat-app",
                "--to", "sentiment-model", "--method", "POST", "--path", "/v1/chat/completions", "--response-body", answer.toString(),
                "-o", "json");
        assertThat(chat.exit()).as(chat::toString).isZero();
        assertThat(JSON.readTree(chat.out()).path("dlp").path("response").path("outcome").asText())
                .as("a production caller: no rule for it").isEqualTo("uninspected");
    }

    @Test
    void applyChecksAFileWithTheRunningConfigAndWritesItOnlyWhenAllIsValid() throws Exception {
        Path bad = tmp.resolve("bad-policy.yaml");
        Files.writeString(bad, POLICY.replace("GET", "GTE").replace("sentiment-callers", "more-callers"));
        Result refused = aimesh("apply", "-f", bad.toString(), "--name", "more.yaml");
        assertThat(refused.exit()).as(refused::toString).isEqualTo(3);
        assertThat(refused.err()).contains("more.yaml:8:33: spec.rules[0].to[0].operation.methods[0]: 'GTE' is not an HTTP method");
        assertThat(tmp.resolve("config/more.yaml")).doesNotExist();

        Path good = tmp.resolve("good-policy.yaml");
        Files.writeString(good, POLICY.replace("sentiment-callers", "more-callers").replace("/echo", "/more"));
        Result applied = aimesh("apply", "-f", good.toString(), "--name", "more.yaml");
        assertThat(applied.exit()).as(applied::toString).isZero();
        assertThat(applied.out()).contains("applied more.yaml");
        assertThat(tmp.resolve("config/more.yaml")).exists();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(aimesh("check", "--from",
                "cli.example/ns/apps/sa/chat", "--to", "sentiment", "--path", "/more").out())
                .contains("allowed by ALLOW policy models/more-callers, rule 0"));
        Files.delete(tmp.resolve("config/more.yaml"));

        Result escape = aimesh("apply", "-f", good.toString(), "--name", "../outside.yaml");
        assertThat(escape.exit()).isEqualTo(3);
        assertThat(escape.err()).contains("the file name must be NAME.yaml");

        // A broken file edited into the directory (refused by the watcher) blocks an apply, and is named once.
        Files.writeString(tmp.resolve("config/broken.yaml"), Files.readString(bad));
        try {
            Result blocked = aimesh("apply", "-f", good.toString(), "--name", "more.yaml");
            assertThat(blocked.exit()).as(blocked::toString).isEqualTo(3);
            assertThat(blocked.err().split("broken.yaml:8:33", -1)).as(blocked::toString).hasSize(2);
            assertThat(tmp.resolve("config/more.yaml")).doesNotExist();
        } finally {
            Files.delete(tmp.resolve("config/broken.yaml"));
        }
    }

    @Test
    void validateReportsEveryProblemWithFileLineAndField() throws Exception {
        Path bad = Files.createDirectories(tmp.resolve("bad-config"));
        Files.writeString(bad.resolve("w.yaml"), """
                apiVersion: aimesh.dev/v1alpha1
                kind: Workload
                metadata: {name: app}
                spec: {serviceAcount: typo}
                ---
                apiVersion: aimesh.dev/v1alpha1
                kind: Mesh
                metadata: {name: default}
                spec: {trustDomain: "Not Valid"}
                """);
        Result result = CliProcess.aimesh("control-plane", "--config-dir", bad.toString(), "--validate");
        assertThat(result.exit()).isEqualTo(3);
        assertThat(result.err()).contains("w.yaml:4:8: spec.serviceAcount: unknown field")
                .contains("w.yaml:9:21: spec.trustDomain: invalid SPIFFE ID 'Not Valid'").contains("2 problem(s)");

        Result start = CliProcess.aimesh("control-plane", "--config-dir", bad.toString(), "--data-dir", tmp.resolve("bad-data").toString(),
                "--grpc-listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0");
        assertThat(start.exit()).isEqualTo(3);
        assertThat(start.err()).contains("2 problem(s) in the config");
    }

    @Test
    void aDamagedRootStopsTheControlPlaneNamingTheFile() throws Exception {
        Path config = Files.createDirectories(tmp.resolve("damaged-config"));
        Path data = tmp.resolve("damaged-data");
        String[] start = {"control-plane", "--config-dir", config.toString(), "--data-dir", data.toString(),
                "--grpc-listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0"};
        Process first = CliProcess.start(CliProcess.aimeshCommand(start), tmp.resolve("damaged.log"));
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(data.resolve("endpoints.json")) || !first.isAlive());
        first.destroy();
        first.waitFor();
        Path chain;
        try (var files = Files.walk(data.resolve("ca"))) {
            chain = files.filter(p -> p.getFileName().toString().equals("chain.pem")).findFirst().orElseThrow();
        }
        Files.writeString(chain, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
        Result result = CliProcess.aimesh(start);
        assertThat(result.exit()).isEqualTo(1);
        assertThat(result.err()).startsWith("aimesh: the certificate authority cannot start: " + chain)
                .contains("damaged");
    }

    @Test
    void upOnceRunsTheQuickstartAndExitsZeroAlsoAgainOnTheSameDataDir() {
        // The second run's proxies resume from their state directories, whose snapshots name the first run's ports.
        for (int run = 1; run <= 2; run++) {
            Result up = CliProcess.aimesh("up", CliProcess.ROOT.resolve("examples/quickstart").toString(), "--once",
                    "--data-dir", tmp.resolve("up-data").toString());
            assertThat(up.exit()).as(up::toString).isZero();
            assertThat(up.out()).contains("spiffe://cluster.local/ns/models/sa/sentiment")
                    .containsPattern("ok +apps/chat-app called sentiment-model.models through the mesh")
                    .containsPattern("\"Sentiment: (positive|negative|neutral) \\(0\\.\\d+\\)\\.")
                    .containsPattern("ok +the same call with stream: true arrived as \\d+ server-sent events")
                    .containsPattern("ok +a prompt with a card number was refused before the model saw it: HTTP 403 .*"
                            + "payment-card")
                    .containsPattern("ok +a long streamed answer ran into the app's token budget after \\d+ events:\n +the"
                            + " answer was ended: limit chat-budget/chat-tokens \\(200 tokens per 1m for each caller\\) ran out")
                    .containsPattern("ok +the app's next call got HTTP 429 \\(Retry-After: \\d+\\):\n +limit"
                            + " chat-budget/chat-tokens .* has no room")
                    .containsPattern("ok +research/notebook called sentiment-model.models: got HTTP 403 RBAC: access denied")
                    .containsPattern("ok +the denial is in the audit log: entry \\d+, reported by"
                            + " spiffe://cluster.local/ns/models/sa/sentiment")
                    .containsPattern("ok +a plaintext call to the model's inbound port .* was refused")
                    .doesNotContain("FAIL")
                    .contains("ok: the mesh works");
        }
    }
}
