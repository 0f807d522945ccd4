package dev.aimesh.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import com.sun.net.httpserver.HttpServer;
import dev.aimesh.controlplane.ControlPlane;
import dev.aimesh.controlplane.ControlPlaneOptions;
import dev.aimesh.controlplane.audit.HashChainedAuditLog;

/**
 * The training run of the proxy's AOT cache ({@code bin/aimesh aot-train}): a proxy started with the given
 * command (which carries {@code -XX:AOTCacheOutput}) serves a fixed number of requests and is then stopped, so
 * that the JVM writes the classes it loaded and the method profiles it gathered into the cache.
 *
 * <p>One proxy plays both sides of a pair: its outbound listener takes the app's HTTP/1.1 calls for its own
 * workload, sends them over mTLS and HTTP/2 to its own inbound listener, which verifies the client SVID and
 * forwards to a local upstream. A JVM writes one cache from one run, so both roles must run in the same
 * process. The control plane and the upstream run in this JVM. The run is bounded by request count, not by
 * time, so it does the same work however busy the machine is.
 */
public final class ProxyTraining {
    private static final Pattern READY = Pattern.compile("ready: inbound (\\S+), outbound (\\S+), admin (\\S+)");
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(120);
    private static final String WORKLOAD = "train/proxy";
    private static final String HOST = "proxy.train";
    private static final int CONNECTIONS = 8;
    private static final byte[] BODY = "x".repeat(1024).getBytes(StandardCharsets.US_ASCII);

    private ProxyTraining() {}

    /** {@code ProxyTraining REQUESTS LOG -- JAVA [JVM options...] -cp ... dev.aimesh.cli.ProxyMain}. */
    public static void main(String[] args) throws Exception {
        int separator = List.of(args).indexOf("--");
        if (args.length < 4 || separator != 2) {
            System.err.println("usage: ProxyTraining REQUESTS LOG -- PROXY-COMMAND...");
            System.exit(ExitCodes.USAGE);
        }
        int requests = Integer.parseInt(args[0]);
        Path log = Path.of(args[1]);
        List<String> command = List.of(args).subList(separator + 1, args.length);
        Path work = Files.createTempDirectory("aimesh-aot-training");
        try {
            long started = System.nanoTime();
            int served = train(command, requests, log, work);
            System.err.printf("aimesh: the proxy served %d training requests in %.1f s%n", served,
                    (System.nanoTime() - started) / 1e9);
        } catch (TrainingFailed | RuntimeException e) {
            System.err.println("aimesh: AOT training failed: " + e.getMessage() + " (proxy log: " + log + ")");
            System.exit(ExitCodes.FAILED);
        } finally {
            delete(work);
        }
        System.exit(ExitCodes.OK);
    }

    static final class TrainingFailed extends Exception {
        private static final long serialVersionUID = 1L;

        TrainingFailed(String message) {
            super(message);
        }
    }

    private static int train(List<String> command, int requests, Path log, Path work) throws Exception {
        InetSocketAddress loopback = new InetSocketAddress("127.0.0.1", 0);
        HttpServer upstream = HttpServer.create(loopback, 64);
        upstream.createContext("/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            byte[] reply = body.length > 0 ? body : "ok".getBytes(StandardCharsets.US_ASCII);
            exchange.sendResponseHeaders(200, reply.length);
            exchange.getResponseBody().write(reply);
            exchange.close();
        });
        upstream.setExecutor(Executors.newFixedThreadPool(2));
        upstream.start();
        Path config = Files.createDirectories(work.resolve("config"));
        Files.writeString(config.resolve("mesh.yaml"), """
                apiVersion: aimesh.dev/v1alpha1
                kind: Mesh
                metadata: {name: default}
                spec:
                  trustDomain: training.aimesh.local
                """);
        Files.writeString(config.resolve("workloads.yaml"), """
                apiVersion: aimesh.dev/v1alpha1
                kind: Workload
                metadata: {name: proxy, namespace: train}
                spec:
                  serviceAccount: proxy
                  inbound: {port: 0, upstream: %s}
                """.formatted(HostPort.format(upstream.getAddress())));
        try (ControlPlane cp = ControlPlane.start(new ControlPlaneOptions(config, Files.createDirectories(work.resolve("data")),
                loopback, loopback, Optional.empty(), InstantSource.system(), Duration.ofMillis(500),
                HashChainedAuditLog.OnBrokenChain.REFUSE, Duration.ZERO))) {
            List<String> proxy = new ArrayList<>(command);
            proxy.addAll(List.of("--workload", WORKLOAD, "--token", cp.createToken(WORKLOAD, Duration.ofMinutes(5)).token(),
                    "--control-plane", "http://" + HostPort.format(cp.adminAddress()), "--admin-token-file",
                    cp.adminTokenFile().toString(), "--inbound-listen", "127.0.0.1:0", "--upstream",
                    HostPort.format(upstream.getAddress()), "--outbound-listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0",
                    "--concurrency", "1"));
            Process process = new ProcessBuilder(proxy).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            try {
                Matcher ready = awaitReady(process, log);
                return load(HostPort.parse(ready.group(2)), ready.group(3), requests);
            } finally {
                // SIGTERM: the proxy's shutdown hook closes it, then the JVM writes the cache on its way out.
                process.destroy();
                if (!process.waitFor(EXIT_TIMEOUT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    throw new TrainingFailed("the proxy did not exit (and write the cache) within " + EXIT_TIMEOUT.toSeconds() + " s");
                }
            }
        } finally {
            upstream.stop(0);
            ((java.util.concurrent.ExecutorService) upstream.getExecutor()).shutdownNow();
        }
    }

    private static Matcher awaitReady(Process process, Path log) throws Exception {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            Matcher ready = READY.matcher(Files.readString(log));
            if (ready.find()) {
                return ready;
            }
            if (!process.isAlive()) {
                throw new TrainingFailed("the proxy exited with status " + process.exitValue() + " before it was ready");
            }
            Thread.sleep(50);
        }
        throw new TrainingFailed("the proxy was not ready within " + READY_TIMEOUT.toSeconds() + " s");
    }

    /** The app's calls: GETs and 1 KB POSTs on keep-alive connections, plus the admin endpoints a scraper reads. */
    private static int load(InetSocketAddress outbound, String admin, int requests) throws Exception {
        HttpClient app = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).proxy(ProxySelector.of(outbound))
                .executor(Executors.newFixedThreadPool(2)).connectTimeout(Duration.ofSeconds(5)).build();
        HttpClient scraper = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        URI get = URI.create("http://" + HOST + "/v1/models");
        URI post = URI.create("http://" + HOST + "/v1/chat/completions");
        awaitRoute(app, get);
        AtomicInteger next = new AtomicInteger();
        AtomicReference<String> failure = new AtomicReference<>();
        try (var workers = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < CONNECTIONS; c++) {
                workers.submit(() -> {
                    int i;
                    while (failure.get() == null && (i = next.getAndIncrement()) < requests) {
                        try {
                            HttpRequest request = i % 2 == 0 ? HttpRequest.newBuilder(get).timeout(Duration.ofSeconds(10)).build()
                                    : HttpRequest.newBuilder(post).timeout(Duration.ofSeconds(10)).header("content-type", "application/json")
                                            .POST(HttpRequest.BodyPublishers.ofByteArray(BODY)).build();
                            HttpResponse<byte[]> response = app.send(request, HttpResponse.BodyHandlers.ofByteArray());
                            if (response.statusCode() != 200) {
                                failure.compareAndSet(null, "request " + i + " got status " + response.statusCode());
                            }
                            if (i % 1000 == 0) {
                                scraper.send(HttpRequest.newBuilder(URI.create("http://" + admin + "/stats")).build(),
                                        HttpResponse.BodyHandlers.discarding());
                            }
                        } catch (IOException e) {
                            failure.compareAndSet(null, "request " + i + " failed: " + e);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            return;
                        }
                    }
                });
            }
        }
        if (failure.get() != null) {
            throw new TrainingFailed(failure.get());
        }
        return requests;
    }

    /** The proxy routes to its own inbound listener once the control plane has announced it back. */
    private static void awaitRoute(HttpClient app, URI uri) throws Exception {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        int last = 0;
        while (System.nanoTime() < deadline) {
            try {
                last = app.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode();
                if (last == 200) {
                    return;
                }
            } catch (IOException e) {
                last = -1;
            }
            Thread.sleep(50);
        }
        throw new TrainingFailed("the proxy did not route to its own inbound listener within " + READY_TIMEOUT.toSeconds()
                + " s (last status " + last + ")");
    }

    private static void delete(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
