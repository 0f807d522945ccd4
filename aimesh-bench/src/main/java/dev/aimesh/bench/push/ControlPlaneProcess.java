package dev.aimesh.bench.push;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aimesh.api.ApiMessages;
import dev.aimesh.api.v1.TrustBundle;
import dev.aimesh.core.identity.JoinToken;
import dev.aimesh.identity.x509.Pem;

/** {@link PushControlPlane} started as a child JVM, with the admin calls the benchmark makes and the versions it announces. */
final class ControlPlaneProcess implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A config version and when the control plane had it (microseconds since the epoch). */
    record Published(String version, long micros) {}

    private final Process process;
    private final InetSocketAddress grpc;
    private final String admin;
    private final Path data;
    private final HttpClient http = HttpClient.newHttpClient();
    private final AtomicReference<Published> published = new AtomicReference<>(new Published("", 0));

    private ControlPlaneProcess(Process process, InetSocketAddress grpc, String admin, Path data) {
        this.data = data;
        this.process = process;
        this.grpc = grpc;
        this.admin = admin;
    }

    static long microsNow() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000 + now.getNano() / 1000;
    }

    static ControlPlaneProcess start(Path config, Path data, Duration poll) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process process = new ProcessBuilder(List.of(java, "--enable-native-access=ALL-UNNAMED", "-Xmx4g",
                "-cp", System.getProperty("java.class.path"), PushControlPlane.class.getName(), config.toString(),
                data.toString(), Long.toString(poll.toMillis())))
                .redirectError(data.resolveSibling("control-plane.log").toFile())
                .start();
        BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String ready = lines.readLine();
        if (ready == null || !ready.startsWith("ready ")) {
            process.destroyForcibly();
            throw new IOException("the control plane did not start; see " + data.resolveSibling("control-plane.log"));
        }
        String[] parts = ready.split(" ");
        String[] hostPort = parts[1].split(":");
        ControlPlaneProcess cp = new ControlPlaneProcess(process, new InetSocketAddress(hostPort[0],
                Integer.parseInt(hostPort[1])), parts[2], data);
        Thread.ofPlatform().daemon().start(() -> cp.follow(lines));
        return cp;
    }

    private void follow(BufferedReader lines) {
        try {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                String[] parts = line.split(" ");
                if (parts.length == 3 && parts[0].equals("published")) {
                    published.set(new Published(parts[1], Long.parseLong(parts[2])));
                    synchronized (this) {
                        notifyAll();
                    }
                }
            }
        } catch (IOException e) {
            // the process ended
        }
    }

    InetSocketAddress grpc() {
        return grpc;
    }

    Published published() {
        return published.get();
    }

    synchronized Published awaitPublishedAfter(String version, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (published.get().version().equals(version)) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new IllegalStateException("the control plane published nothing after " + version);
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return published.get();
    }

    JoinToken token(String workload) throws IOException, InterruptedException {
        String body = JSON.writeValueAsString(java.util.Map.of("workload", workload, "ttl", "30m"));
        HttpResponse<String> reply = http.send(HttpRequest.newBuilder(URI.create(admin + "/v1/tokens"))
                .POST(HttpRequest.BodyPublishers.ofString(body)).header("content-type", "application/json")
                .header("authorization", bearer()).build(),
                HttpResponse.BodyHandlers.ofString());
        if (reply.statusCode() != 201) {
            throw new IOException("token for " + workload + ": " + reply.statusCode() + " " + reply.body());
        }
        return JoinToken.parse(JSON.readTree(reply.body()).get("token").asText());
    }

    /** The admin API's token, which the control plane writes to its data directory. */
    private String bearer() throws IOException {
        return "Bearer " + java.nio.file.Files.readString(data.resolve("admin-token")).strip();
    }

    TrustBundle bundle() throws IOException, InterruptedException, CertificateException {
        HttpResponse<String> reply = http.send(HttpRequest.newBuilder(URI.create(admin + "/v1/bundle")).header("authorization", bearer()).build(),
                HttpResponse.BodyHandlers.ofString());
        return ApiMessages.bundle(1, "cluster.local", Pem.parseCertificates(reply.body()));
    }

    @Override
    public void close() throws IOException, InterruptedException {
        process.getOutputStream().close();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
