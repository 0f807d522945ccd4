package dev.aimesh.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aimesh.testkit.CliProcess.Result;

/**
 * A mesh of real processes for the fault suite, each started through the CLI as a user would: a control
 * plane over a config directory, proxies joined with tokens and keeping their state in a directory, so that
 * any of them can be killed ({@code SIGKILL}) and started again on the same ports and directories.
 */
public final class FaultMesh implements AutoCloseable {
    public static final String MODEL = "model.models";
    /** The usual policies: apps/app may call the model, web/site may not. */
    public static final String ONLY_APP_CALLS_THE_MODEL = """
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: model-callers, namespace: models}
            spec:
              targetRefs: [{kind: Service, name: model}]
              rules:
              - from: [{source: {principals: ["cluster.local/ns/apps/sa/app"]}}]
            """;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern READY = Pattern.compile("ready: inbound (\\S+), outbound (\\S+), admin (\\S+)");
    private static final Duration START = Duration.ofSeconds(60);

    public final Path root;
    public final Path configDir;
    public final Path dataDir;
    private Process controlPlane;
    private int starts;
    /** host:port of the control plane's gRPC listener, and the admin API's URL, fixed after the first start. */
    public String grpc;
    public String admin;
    private final List<ProxyProcess> proxies = new ArrayList<>();

    /** One proxy process; {@code restart} starts it again with the same arguments but no token. */
    public final class ProxyProcess {
        public final String name;
        public final Path stateDir;
        private final List<String> args;
        public Process process;
        public String inbound;
        public String outbound;
        public String proxyAdmin;
        /** Where it dials the control plane's gRPC, when not directly (a {@link PausableRelay}). */
        public String grpcVia;

        ProxyProcess(String name, List<String> args) {
            this.name = name;
            this.stateDir = root.resolve("state-" + name);
            this.args = args;
        }

        public void start(String token) throws IOException {
            List<String> command = new ArrayList<>(List.of("proxy", "--state-dir", stateDir.toString(), "--threads", "1",
                    "--admin-listen", proxyAdmin == null ? "127.0.0.1:0" : proxyAdmin));
            if (token != null) {
                command.addAll(List.of("--token", token, "--control-plane", admin, "--admin-token-file", adminTokenFile()));
            } else {
                command.addAll(List.of("--grpc-address", grpc));
            }
            for (String arg : args) {
                command.add(arg);
            }
            if (grpcVia != null) {
                if (command.contains("--grpc-address")) {
                    replace(command, "--grpc-address", grpcVia);
                } else {
                    command.addAll(List.of("--grpc-address", grpcVia));
                }
            }
            if (inbound != null && !inbound.equals("none")) { // again on the same port, as a deployment with a fixed port
                replace(command, "--inbound-listen", inbound);
            }
            if (outbound != null && !outbound.equals("none")) {
                replace(command, "--outbound-listen", outbound);
            }
            Path log = root.resolve("proxy-" + name + "-" + (++starts) + ".log");
            process = CliProcess.start(CliProcess.aimeshCommand(command.toArray(String[]::new)), log);
            await().atMost(START).until(() -> READY.matcher(Files.readString(log)).find() || !process.isAlive());
            Matcher ready = READY.matcher(Files.readString(log));
            assertThat(ready.find()).as(() -> name + " did not start:\n" + read(log)).isTrue();
            inbound = ready.group(1);
            outbound = ready.group(2);
            proxyAdmin = ready.group(3);
        }

        public void kill() throws InterruptedException {
            process.destroyForcibly(); // SIGKILL: no shutdown hook, nothing flushed
            assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
        }

        public String outboundUrl(String path) {
            return "http://" + outbound + path;
        }
    }

    public FaultMesh(Path root, String workloadLifetime, String policies) throws IOException {
        this.root = root;
        this.configDir = Files.createDirectories(root.resolve("config"));
        this.dataDir = root.resolve("data");
        write("mesh.yaml", """
                apiVersion: aimesh.dev/v1alpha1
                kind: Mesh
                metadata: {name: default}
                spec:
                  trustDomain: fault.example
                  certificates: {workloadLifetime: %s}
                """.formatted(workloadLifetime));
        write("workloads.yaml", """
                apiVersion: aimesh.dev/v1alpha1
                kind: Workload
                metadata: {name: model, namespace: models}
                ---
                apiVersion: aimesh.dev/v1alpha1
                kind: Workload
                metadata: {name: app, namespace: apps}
                ---
                apiVersion: aimesh.dev/v1alpha1
                kind: Workload
                metadata: {name: site, namespace: web}
                """);
        write("policies.yaml", policies);
    }

    public void write(String file, String text) {
        try {
            Path target = configDir.resolve(file);
            Path temp = configDir.resolve("." + file + ".tmp");
            Files.writeString(temp, text);
            Files.move(temp, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts the control plane: on port 0 the first time, then on the ports it had, over the same data directory. */
    public void startControlPlane() throws IOException {
        Path endpoints = dataDir.resolve("endpoints.json");
        Files.deleteIfExists(endpoints);
        String grpcListen = grpc == null ? "127.0.0.1:0" : grpc;
        String adminListen = admin == null ? "127.0.0.1:0" : admin.replaceFirst("^http://", "");
        Path log = root.resolve("control-plane-" + (++starts) + ".log");
        Process started = CliProcess.start(CliProcess.aimeshCommand("control-plane", "--config-dir", configDir.toString(),
                "--data-dir", dataDir.toString(), "--grpc-listen", grpcListen, "--admin-listen", adminListen), log);
        controlPlane = started;
        await().atMost(START).until(() -> Files.exists(endpoints) || !started.isAlive());
        assertThat(started.isAlive()).as(() -> read(log)).isTrue();
        await().atMost(Duration.ofSeconds(5)).until(() -> JSON.readTree(endpoints.toFile()).has("admin"));
        JsonNode json = JSON.readTree(endpoints.toFile());
        grpc = json.get("grpc").asText();
        admin = json.get("admin").asText();
    }

    public void killControlPlane() throws InterruptedException {
        controlPlane.destroyForcibly();
        assertThat(controlPlane.waitFor(10, TimeUnit.SECONDS)).isTrue();
    }

    public String controlPlaneLog() {
        try (var files = Files.list(root)) {
            StringBuilder all = new StringBuilder();
            for (Path p : files.filter(f -> f.getFileName().toString().startsWith("control-plane-")).sorted().toList()) {
                all.append(Files.readString(p));
            }
            return all.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Result aimesh(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--control-plane", admin, "--admin-token-file", adminTokenFile()));
        return CliProcess.aimesh(all.toArray(String[]::new));
    }

    /** The CLI's credential for the admin API, which the control plane writes afresh on every start. */
    public String adminTokenFile() {
        return dataDir.resolve("admin-token").toString();
    }

    public String token(String workload) {
        Result token = aimesh("token", "create", "--workload", workload);
        assertThat(token.exit()).as(token::toString).isZero();
        return token.out().strip();
    }

    /** The model's proxy: an inbound mTLS listener in front of {@code upstreamPort}. */
    public ProxyProcess modelProxy(int upstreamPort) throws IOException {
        return modelProxy(upstreamPort, null);
    }

    /** The model's proxy, dialing the control plane's gRPC through {@code grpcVia} (null: directly). */
    public ProxyProcess modelProxy(int upstreamPort, String grpcVia) throws IOException {
        ProxyProcess proxy = new ProxyProcess("model", List.of("--inbound-listen", "127.0.0.1:0", "--upstream",
                "127.0.0.1:" + upstreamPort));
        proxy.grpcVia = grpcVia;
        proxy.start(token("models/model"));
        proxies.add(proxy);
        return proxy;
    }

    /** A caller's proxy: an outbound loopback listener for the app; {@code options} are more of {@code aimesh proxy}'s. */
    public ProxyProcess callerProxy(String workload, String... options) throws IOException {
        List<String> args = new ArrayList<>(List.of("--outbound-listen", "127.0.0.1:0"));
        args.addAll(List.of(options));
        ProxyProcess proxy = new ProxyProcess(workload.replace('/', '-'), args);
        proxy.start(token(workload));
        proxies.add(proxy);
        return proxy;
    }

    public Path auditLog() {
        return dataDir.resolve("audit").resolve("audit.log");
    }

    /** The lines of the audit log that contain {@code text}. */
    public List<String> auditLines(String text) {
        try {
            return Files.exists(auditLog()) ? Files.readAllLines(auditLog()).stream().filter(l -> l.contains(text)).toList() : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static void replace(List<String> command, String option, String value) {
        int at = command.indexOf(option);
        command.set(at + 1, value);
    }

    @Override
    public void close() throws InterruptedException {
        for (ProxyProcess proxy : proxies) {
            if (proxy.process != null) {
                proxy.process.destroy();
                proxy.process.waitFor(10, TimeUnit.SECONDS);
                proxy.process.destroyForcibly();
            }
        }
        if (controlPlane != null) {
            controlPlane.destroy();
            controlPlane.waitFor(10, TimeUnit.SECONDS);
            controlPlane.destroyForcibly();
        }
    }
}
