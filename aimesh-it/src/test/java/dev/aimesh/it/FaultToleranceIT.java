package dev.aimesh.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import dev.aimesh.testkit.CliProcess.Result;
import dev.aimesh.testkit.CliProcess;
import dev.aimesh.testkit.Curl;
import dev.aimesh.testkit.EchoUpstream;
import dev.aimesh.testkit.FaultLoad;
import dev.aimesh.testkit.FaultMesh.ProxyProcess;
import dev.aimesh.testkit.FaultMesh;
import dev.aimesh.testkit.PausableRelay;

/**
 * The fault suite: a mesh of real processes started through the CLI (a control plane, the model's proxy,
 * two callers' proxies), a steady bounded load from h2load on HTTP/1.1 and HTTP/2 through the allowed
 * caller, and one fault at a time: a broken config pushed, the control plane SIGKILLed and restarted on its
 * ports and data directory, the model's proxy SIGKILLed and restarted from its state directory, and a
 * flood of failed handshakes against the model's inbound. Each asserts zero failed requests and nothing
 * lost. The figures are in docs/testing.md.
 */
// Runs beside the other classes: its latency bound is taken against the same caller's p99 just before the flood, and its
// audit bound against the flood's own length, so a CPU shared with other classes slows both sides alike.
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultToleranceIT {
    private static final String POLICY = """
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: model-callers, namespace: models}
            spec:
              targetRefs: [{kind: Service, name: model}]
              rules:
              - from: [{source: {principals: [%s]}}]
            """;
    private static final String APP = "\"cluster.local/ns/apps/sa/app\"";
    private static final String SITE = "\"cluster.local/ns/web/sa/site\"";
    /** How soon a config change must reach the proxies (issue 11: "changes resume within seconds"). */
    static final Duration CHANGE_BOUND = Duration.ofSeconds(5);
    /**
     * A legitimate caller's p99 during a handshake flood, on this 2-core machine; on a machine busier than that (other
     * classes beside this one), {@link #FLOOD_P99_FACTOR} times the caller's p99 measured just before the flood.
     */
    static final Duration FLOOD_P99_BOUND = Duration.ofMillis(500);
    static final int FLOOD_P99_FACTOR = 3;
    private static final int CLIENTS = 2;
    private static final int RATE = 10; // per client and second: 20 requests/s per protocol, 40/s in all
    private static final int SECONDS = 12;

    @TempDir
    static Path tmp;
    private static EchoUpstream model;
    private static FaultMesh mesh;
    private static ProxyProcess server;
    /** The model's proxy reaches the control plane through it, so a test can make it rejoin last. */
    private static PausableRelay modelToControlPlane;
    private static ProxyProcess app;
    private static ProxyProcess site;
    /** How many denials the flood test made, each with its own path (flood-denial=N). */
    private static int floodDenials;
    /** How long the flood of failed handshakes lasted. */
    private static Duration floodTook;

    @BeforeAll
    static void startMesh() throws Exception {
        model = new EchoUpstream().start();
        mesh = new FaultMesh(tmp, "1h", POLICY.formatted(APP));
        mesh.startControlPlane();
        String[] grpc = mesh.grpc.split(":");
        modelToControlPlane = new PausableRelay(new InetSocketAddress(grpc[0], Integer.parseInt(grpc[1])));
        server = mesh.modelProxy(model.address().getPort(), modelToControlPlane.address());
        app = mesh.callerProxy("apps/app");
        site = mesh.callerProxy("web/site");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> Curl.assertStatus(call(app, "h2", "/echo"), 200));
        Curl.assertStatus(call(site, "h2", "/echo"), 403);
    }

    @AfterAll
    static void stopMesh() throws Exception {
        if (mesh != null) {
            mesh.close();
        }
        if (modelToControlPlane != null) {
            modelToControlPlane.close();
        }
        model.close();
    }

    private static Result call(ProxyProcess caller, String protocol, String path) {
        return Curl.run(protocol, caller.outboundUrl(path), "-H", "Host: " + FaultMesh.MODEL);
    }

    private static List<FaultLoad> loadBothProtocols(int seconds) throws IOException {
        return List.of(FaultLoad.start(tmp, "http1.1", app.outboundUrl("/echo"), CLIENTS, RATE, seconds),
                FaultLoad.start(tmp, "h2", app.outboundUrl("/echo"), CLIENTS, RATE, seconds));
    }

    private static List<FaultLoad.Outcome> awaitAll(List<FaultLoad> loads) throws InterruptedException {
        List<FaultLoad.Outcome> outcomes = new ArrayList<>();
        for (FaultLoad load : loads) {
            FaultLoad.Outcome outcome = load.await();
            System.out.println("fault suite: " + outcome);
            outcomes.add(outcome);
        }
        return outcomes;
    }

    /** Seconds from now until the site caller's calls get {@code status} on both protocols. */
    private static Duration timeUntilSiteGets(int status, Duration atMost) {
        long start = System.nanoTime();
        await().atMost(atMost).pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> Curl.assertStatus(call(site, "h2", "/echo"), status));
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        Curl.assertStatus(call(site, "http1.1", "/echo"), status);
        return took;
    }

    @Test
    @Order(1)
    void aBrokenConfigPushedUnderLoadIsRefusedTheLastGoodIsKeptAndTheNextValidChangeIsTaken() throws Exception {
        List<FaultLoad> loads = loadBothProtocols(SECONDS);
        Thread.sleep(3_000);
        // A policy that would let the site in, with a method that is not one: the whole file must be refused.
        String broken = POLICY.formatted(APP + ", " + SITE) + "    to: [{operation: {methods: [\"GTE\"]}}]\n";
        mesh.write("policies.yaml", broken);
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> mesh.controlPlaneLog().contains("'GTE' is not an HTTP method"));
            Curl.assertStatus(call(site, "h2", "/echo"), 403); // the last good policy is still enforced
            Curl.assertStatus(call(app, "http1.1", "/echo"), 200);
            awaitAll(loads).forEach(FaultLoad.Outcome::assertNoFailure);
        } catch (Throwable t) {
            mesh.write("policies.yaml", POLICY.formatted(APP)); // a broken config would also stop the next test's restart
            throw t;
        }

        // The next valid change, straight after the broken one: the same file, fixed.
        mesh.write("policies.yaml", POLICY.formatted(APP + ", " + SITE));
        Duration took = timeUntilSiteGets(200, Duration.ofSeconds(30));
        System.out.println("fault suite: the valid change after a refused one was enforced in " + took.toMillis() + " ms");
        assertThat(took).isLessThanOrEqualTo(CHANGE_BOUND);
        mesh.write("policies.yaml", POLICY.formatted(APP));
        timeUntilSiteGets(403, Duration.ofSeconds(30));
    }

    @Test
    @Order(2)
    void theControlPlaneKilledUnderLoadAndRestartedCostsNoRequestAndChangesResumeWithinSeconds() throws Exception {
        List<FaultLoad> loads = loadBothProtocols(SECONDS);
        Thread.sleep(3_000);
        // The model's proxy rejoins last, 4 s after the callers' proxies could (their backoff is capped at 3 s): the
        // restarted control plane must keep serving the model's endpoint meanwhile.
        mesh.killControlPlane();
        modelToControlPlane.hold(); // after the kill: its stream closing first would remove its endpoint rightly
        Thread.sleep(2_000);
        mesh.startControlPlane(); // the same gRPC and admin ports, the same data directory (CA, tokens, audit log)
        Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(4_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            modelToControlPlane.release();
        });
        // curl beside the load, so that a refusal's reason shows: the proxies rejoin the new process meanwhile.
        java.util.Set<String> refusals = new java.util.TreeSet<>();
        for (long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5); System.nanoTime() < end; Thread.sleep(200)) {
            Result r = call(app, "h2", "/echo");
            if (!r.out().contains("status=200")) {
                refusals.add(r.out().strip());
            }
        }
        System.out.println("fault suite: refusals seen by curl after the control plane's restart: " + refusals);
        List<FaultLoad.Outcome> outcomes = awaitAll(loads);

        mesh.write("policies.yaml", POLICY.formatted(APP + ", " + SITE));
        Duration took = timeUntilSiteGets(200, Duration.ofSeconds(90));
        System.out.println("fault suite: a change after the control plane's restart was enforced in " + took.toMillis() + " ms");
        mesh.write("policies.yaml", POLICY.formatted(APP));
        timeUntilSiteGets(403, Duration.ofSeconds(90));
        outcomes.forEach(FaultLoad.Outcome::assertNoFailure);
        assertThat(refusals).as("calls refused after the control plane's restart").isEmpty();
        assertThat(took).as("a change after the control plane's restart reaches the proxies").isLessThanOrEqualTo(CHANGE_BOUND);
    }

    @Test
    @Order(3)
    void theModelsProxyKilledUnderLoadLosesNoAcknowledgedAuditEventAndEnforcesItsLastSnapshotOnRestart() throws Exception {
        // Denials at 4 a second (under the proxy's audit budget), each with its own path, while the app calls;
        // the model's proxy is SIGKILLed in the middle of both.
        List<Long> answeredAt = java.util.Collections.synchronizedList(new ArrayList<>());
        ExecutorService denier = Executors.newSingleThreadExecutor();
        Future<?> denials = denier.submit(() -> {
            for (int n = 0; n < 40; n++) {
                Result r = call(site, "h2", "/echo?denial=" + n);
                if (!r.out().contains("status=403")) {
                    return null; // the proxy is gone
                }
                answeredAt.add(System.nanoTime());
                Thread.sleep(250);
            }
            return null;
        });
        // HTTP/2 only while the proxy dies: once answered 503, h2load --h1 sent requests in a tight loop (tens of
        // thousands in seconds) and did not stop at its deadline (seen twice), so it cannot measure an outage.
        List<FaultLoad> loads = List.of(FaultLoad.start(tmp, "h2", app.outboundUrl("/echo"), CLIENTS, RATE, 8));
        Thread.sleep(5_000);
        long killedAt = System.nanoTime();
        server.kill();
        List<FaultLoad.Outcome> duringKill;
        try {
            denials.get(60, TimeUnit.SECONDS);
            denier.shutdown();
            duringKill = awaitAll(loads);
        } finally {
            server.start(null); // from its state directory, on the same port, with no token
        }
        // The callers' connections to the killed process are gone; their next request dials the same port again.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> Curl.assertStatus(call(app, "h2", "/echo"), 200));
        Curl.assertStatus(call(app, "http1.1", "/echo"), 200);
        Curl.assertStatus(call(site, "h2", "/echo"), 403); // the last snapshot, enforced at once
        Curl.assertStatus(call(site, "http1.1", "/echo"), 403);

        // Acknowledged = answered at least 2 batch intervals (the reporter sends every second) before the kill.
        long acknowledgedBefore = killedAt - TimeUnit.SECONDS.toNanos(2);
        int acknowledged = 0;
        int lostInFlight = 0;
        for (int n = 0; n < answeredAt.size(); n++) {
            boolean logged = mesh.auditLines("denial=" + n + "\"").size() == 1;
            if (answeredAt.get(n) < acknowledgedBefore) {
                acknowledged++;
                assertThat(logged).as("denial " + n + ", answered well before the kill, is in the audit log").isTrue();
            } else if (!logged) {
                lostInFlight++;
            }
        }
        System.out.println("fault suite: model proxy killed: " + acknowledged + " acknowledged denials all logged; "
                + lostInFlight + " of the last " + (answeredAt.size() - acknowledged) + " (in the proxy's queue) lost");
        assertThat(acknowledged).isGreaterThanOrEqualTo(8);
        Result verify = CliProcess.aimesh("audit", "verify", mesh.auditLog().toString());
        assertThat(verify.exit()).as(verify::toString).isZero();
        for (FaultLoad.Outcome outcome : duringKill) {
            System.out.println("fault suite: while the model's proxy was dead: " + outcome.protocol() + " " + outcome.started()
                    + " started, " + (outcome.started() - outcome.s2xx()) + " not answered 2xx");
        }
        // After the restart, the same load fails nothing.
        awaitAll(loadBothProtocols(4)).forEach(FaultLoad.Outcome::assertNoFailure);
    }

    @Test
    @Order(4)
    void thousandsOfFailedHandshakesKeepALegitimateCallersP99WithinBoundAndFailNoneOfItsRequests() throws Exception {
        String[] inbound = server.inbound.split(":");
        InetSocketAddress target = new InetSocketAddress(inbound[0], Integer.parseInt(inbound[1]));
        Map<String, Duration> bounds = new java.util.HashMap<>();
        for (FaultLoad.Outcome before : awaitAll(loadBothProtocols(4))) {
            before.assertNoFailure();
            Duration relative = Duration.ofNanos(before.p99Micros() * 1000 * FLOOD_P99_FACTOR);
            bounds.put(before.protocol(), relative.compareTo(FLOOD_P99_BOUND) > 0 ? relative : FLOOD_P99_BOUND);
        }
        System.out.println("fault suite: p99 bounds during the flood: " + bounds);
        List<FaultLoad> loads = loadBothProtocols(SECONDS);
        long floodStart = System.nanoTime();
        AtomicInteger refused = new AtomicInteger();
        ExecutorService flood = Executors.newFixedThreadPool(4);
        List<Future<?>> floods = new ArrayList<>();
        int perKind = 750;
        for (int kind = 0; kind < 4; kind++) {
            int k = kind;
            floods.add(flood.submit(() -> {
                for (int i = 0; i < perKind; i++) {
                    if (failedHandshake(target, k)) {
                        refused.incrementAndGet();
                    }
                }
                return null;
            }));
        }
        Thread.sleep(2_000);
        int marks = 5;
        for (int n = 0; n < marks; n++) {
            Curl.assertStatus(call(site, "h2", "/echo?flood-denial=" + n), 403);
        }
        for (Future<?> f : floods) {
            f.get(120, TimeUnit.SECONDS);
        }
        floodTook = Duration.ofNanos(System.nanoTime() - floodStart);
        flood.shutdown();
        List<FaultLoad.Outcome> outcomes = awaitAll(loads);
        System.out.println("fault suite: failed handshakes: " + refused.get() + " of " + 4 * perKind);
        assertThat(refused.get()).as("handshakes refused").isEqualTo(4 * perKind);
        for (FaultLoad.Outcome outcome : outcomes) {
            outcome.assertNoFailure();
            assertThat(Duration.ofNanos(outcome.p99Micros() * 1000)).as(outcome.protocol() + " p99")
                    .isLessThanOrEqualTo(bounds.get(outcome.protocol()));
        }
        floodDenials = marks;
    }

    @Test
    @Order(5)
    void theDenialsOfALegitimateCallerDuringTheHandshakeFloodAreAuditedAndTheFloodArrivesAsCountedAggregates() {
        assertThat(floodDenials).as("the flood test ran first").isPositive();
        for (int n = 0; n < floodDenials; n++) {
            int m = n;
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(mesh.auditLines("flood-denial=" + m + "\""))
                    .as("denial " + m + " during the flood, in the audit log").hasSize(1));
        }
        Map<String, Long> entries = new java.util.TreeMap<>();
        long refusedHandshakes = 0;
        java.util.Set<String> refusalKeys = new java.util.HashSet<>();
        for (String line : mesh.auditLines("\"type\"")) {
            String type = field(line, "type");
            entries.merge(type, 1L, Long::sum);
            if (type.equals("peer-authn.refused")) {
                refusalKeys.add(field(line, "caller") + " " + field(line, "reason"));
                String count = field(line, "count");
                refusedHandshakes += count.isEmpty() ? 1 : Long.parseLong(count);
            }
        }
        System.out.println("fault suite: audit entries after the handshake flood, by type: " + entries + "; refused handshakes"
                + " they count: " + refusedHandshakes);
        // Noise is one entry per source and reason per interval (1 s), with a count, so it cannot crowd out denials: at
        // most one a second for each source and reason, however long a CPU shared with other classes made the flood.
        assertThat(entries.getOrDefault("peer-authn.refused", 0L))
                .as("entries of the flood's refusals (%s sources and reasons, over %s)", refusalKeys.size(), floodTook)
                .isPositive().isLessThanOrEqualTo(refusalKeys.size() * (floodTook.toSeconds() + 2)).isLessThan(4 * 750 / 10);
        assertThat(refusedHandshakes).as("refused handshakes the aggregates count").isGreaterThan(entries.get("peer-authn.refused"));
        assertThat(entries).doesNotContainKeys("audit.refused", "audit.dropped");
    }

    /** A field of an audit line, a string or a number; empty when absent. */
    private static String field(String line, String name) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"" + name + "\":\"?([^\",}]+)").matcher(line);
        return m.find() ? m.group(1) : "";
    }

    /** One failed attempt of kind 0 garbage, 1 plaintext HTTP, 2 TLS without a certificate, 3 TLS 1.2 only; true when refused. */
    private static boolean failedHandshake(InetSocketAddress target, int kind) {
        try (Socket socket = kind < 2 ? new Socket() : noCertificateContext().getSocketFactory().createSocket()) {
            socket.setSoTimeout(10_000);
            socket.connect(target, 5_000);
            if (socket instanceof SSLSocket tls) {
                if (kind == 3) {
                    tls.setEnabledProtocols(new String[] {"TLSv1.2"});
                }
                tls.startHandshake();
                // TLS 1.3: the server's refusal of a missing certificate arrives with the first read.
                OutputStream out = tls.getOutputStream();
                out.write("GET /echo HTTP/1.1\r\nHost: model\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                return tls.getInputStream().read() < 0;
            }
            OutputStream out = socket.getOutputStream();
            out.write(kind == 0 ? randomBytes() : "GET /echo HTTP/1.1\r\nHost: model\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] buf = new byte[512];
            int read;
            while ((read = in.read(buf)) >= 0) {
                if (read > 0 && new String(buf, 0, read, StandardCharsets.ISO_8859_1).contains("HTTP/1.1 200")) {
                    return false; // served: not refused
                }
            }
            return true;
        } catch (IOException e) {
            return true; // reset or alert: refused
        }
    }

    private static byte[] randomBytes() {
        byte[] bytes = new byte[64];
        new SecureRandom().nextBytes(bytes);
        bytes[0] = 0x16; // looks like a TLS record, is not one
        return bytes;
    }

    private static SSLContext noCertificateContext() throws IOException {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new X509TrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) {}

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) {}

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, new SecureRandom());
            return context;
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException(e);
        }
    }
}
