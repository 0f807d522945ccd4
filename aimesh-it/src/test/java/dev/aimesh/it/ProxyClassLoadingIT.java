package dev.aimesh.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import dev.aimesh.proxy.Proxy;
import dev.aimesh.testkit.CliProcess;
import dev.aimesh.testkit.TestMesh;
import dev.aimesh.testkit.Curl;
import dev.aimesh.testkit.EchoUpstream;

/**
 * A proxy in its own JVM, its class loading logged ({@code -Xlog:class+load}) while it joins, takes a
 * pushed policy change, serves allowed and denied requests, and restarts from its stored snapshot: it never
 * loads a YAML or JSON parser (Jackson, SnakeYAML), which its classpath holds. The proxy is sent typed
 * resources and keeps them as protobuf.
 */
class ProxyClassLoadingIT {
    private static final String POLICY = """
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: model-callers, namespace: models}
            spec:
              targetRefs: [{kind: Service, name: model}]
              rules:
              - from: [{source: {principals: ["cluster.local/ns/apps/sa/app"]}}]
                to: [{operation: {methods: [%s]}}]
                when: [{key: request.ai.operation, notValues: ["embeddings"]}]
            """;
    private static final List<String> PARSERS = List.of("com.fasterxml.jackson.", "org.snakeyaml.", "org.yaml.snakeyaml.");
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path tmp;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : closeables.reversed()) {
            c.close();
        }
    }

    /** The proxy process: its output and class-loading log in files, stopped by a line on its stdin. */
    private final class ChildProxy implements AutoCloseable {
        final Path out;
        final Path classes;
        final Process process;

        ChildProxy(String name, int grpcPort, String token, Path state, int upstreamPort) throws IOException {
            out = tmp.resolve(name + ".out");
            classes = tmp.resolve(name + ".classes");
            List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                    "--enable-native-access=ALL-UNNAMED", "-XX:TieredStopAtLevel=1", "-Xlog:class+load=info:file=" + classes));
            if (Runtime.version().feature() >= 23) {
                command.add("--sun-misc-unsafe-memory-access=allow");
            }
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), ProxyProcessMain.class.getName(),
                    Integer.toString(grpcPort), token, state.toString(), Integer.toString(upstreamPort)));
            process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            closeables.add(this);
        }

        void awaitReady() {
            await().atMost(WAIT).until(() -> !process.isAlive() || Files.readString(out).contains("READY "));
            assertThat(process.isAlive()).as(this::output).isTrue();
        }

        String output() {
            try {
                return Files.readString(out);
            } catch (IOException e) {
                return "<" + e + ">";
            }
        }

        /** Stops the proxy the way the test asks it to, and returns the classes it loaded. */
        List<String> stop() throws Exception {
            try (OutputStream in = process.getOutputStream()) {
                in.write("exit\n".getBytes(StandardCharsets.UTF_8));
            }
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).as(this::output).isTrue();
            assertThat(process.exitValue()).as(this::output).isZero();
            return Files.readAllLines(classes);
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }

    private static List<String> parsersIn(List<String> loaded) {
        return loaded.stream().filter(line -> PARSERS.stream().anyMatch(line::contains)).toList();
    }

    private static CliProcess.Result call(Proxy caller, String method) {
        return Curl.run("h2", "http://127.0.0.1:" + caller.outboundAddress().orElseThrow().getPort() + "/echo",
                "-X", method, "-H", "Host: model.models");
    }

    @Test
    void aRunningProxyLoadsNeitherJacksonNorSnakeYaml() throws Exception {
        TestMesh mesh = new TestMesh(tmp, null, InstantSource.system());
        closeables.add(mesh);
        mesh.write("policies.yaml", POLICY.formatted("\"GET\""));
        await().atMost(WAIT).until(() -> mesh.cp.config().authorizationPolicies().size() == 1);
        EchoUpstream model = new EchoUpstream().start();
        closeables.add(model::close);
        Path state = tmp.resolve("model-state");

        ChildProxy first = new ChildProxy("first", mesh.grpc().getPort(), mesh.token("models/model").toString(), state,
                model.address().getPort());
        first.awaitReady();
        Proxy app = mesh.clientProxy("apps/app");
        closeables.add(app);
        TestMesh.awaitModelEndpoint(app);
        await().atMost(WAIT).untilAsserted(() -> Curl.assertStatus(call(app, "GET"), 200));
        Curl.assertStatus(call(app, "POST"), 403);

        mesh.write("policies.yaml", POLICY.formatted("\"GET\", \"POST\""));
        await().atMost(WAIT).untilAsserted(() -> Curl.assertStatus(call(app, "POST"), 200)); // the push was applied
        List<String> loaded = first.stop();

        assertThat(loaded).as("the log shows the proxy compiled typed policies and kept them")
                .anyMatch(l -> l.contains("dev.aimesh.proxy.agent.PolicyCompiler "))
                .anyMatch(l -> l.contains("dev.aimesh.api.v1.AuthorizationPolicy "))
                .anyMatch(l -> l.contains("dev.aimesh.proxy.agent.SnapshotFile "));
        assertThat(parsersIn(loaded)).isEmpty();

        // Restarted from its state directory without a token (so only by resuming), it reads its stored snapshot.
        ChildProxy second = new ChildProxy("second", mesh.grpc().getPort(), "-", state, model.address().getPort());
        second.awaitReady();
        await().atMost(WAIT).untilAsserted(() -> Curl.assertStatus(call(app, "POST"), 200));
        List<String> resumed = second.stop();
        assertThat(resumed).anyMatch(l -> l.contains("dev.aimesh.api.v1.StoredSnapshot "));
        assertThat(parsersIn(resumed)).isEmpty();
    }
}
