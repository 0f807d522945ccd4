package dev.aimesh.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs the real {@code aimesh} CLI as a separate process on this JVM's classpath, or any other program. */
public final class CliProcess {
    /** Where the repository is (for examples/), set by the build. */
    public static final Path ROOT = Path.of(System.getProperty("aimesh.root", ".."));

    public record Result(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    private static final java.util.concurrent.Executor READERS = command -> Thread.ofVirtual().name("cli-output").start(command);
    private static final long OUTPUT_AFTER_EXIT_SECONDS = 10;

    private CliProcess() {}

    public static List<String> aimeshCommand(String... args) {
        return javaCommand(List.of(), "dev.aimesh.cli.Main", args);
    }

    /** {@code aimesh proxy ARGS} as {@code bin/aimesh proxy} starts it: through the proxy's own entry point. */
    public static List<String> proxyCommand(List<String> jvmOptions, String... args) {
        return javaCommand(jvmOptions, "dev.aimesh.cli.ProxyMain", args);
    }

    private static List<String> javaCommand(List<String> jvmOptions, String main, String... args) {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.add("--enable-native-access=ALL-UNNAMED");
        command.add("-XX:TieredStopAtLevel=1");
        if (Runtime.version().feature() >= 23) {
            command.add("--sun-misc-unsafe-memory-access=allow"); // as bin/aimesh does: protobuf-java uses Unsafe
        }
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(main);
        command.addAll(List.of(args));
        return command;
    }

    public static Result aimesh(String... args) {
        return run(aimeshCommand(args), Map.of(), Duration.ofSeconds(60));
    }

    public static Result run(List<String> command, Map<String, String> env, Duration timeout) {
        try {
            ProcessBuilder builder = new ProcessBuilder(command);
            builder.environment().remove("AIMESH_CONTROL_PLANE");
            builder.environment().remove("AIMESH_ADMIN_TOKEN_FILE");
            builder.environment().putAll(env);
            Process process = builder.start();
            process.getOutputStream().close();
            // Each stream is read on a thread of its own: on the common pool (one worker on 2 cores) the output of every
            // command of every test class in this JVM was read in turn, so a quick curl waited for a slow one to end.
            CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(process.getInputStream()), READERS);
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(process.getErrorStream()), READERS);
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("timed out after " + timeout + ": " + command);
            }
            // A child the command left behind may hold its output open: what was written by its exit is read by then.
            return new Result(process.exitValue(), out.get(OUTPUT_AFTER_EXIT_SECONDS, TimeUnit.SECONDS),
                    err.get(OUTPUT_AFTER_EXIT_SECONDS, TimeUnit.SECONDS));
        } catch (IOException e) {
            throw new AssertionError("cannot run " + command + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new AssertionError("the output of " + command + " was still open " + OUTPUT_AFTER_EXIT_SECONDS
                    + " s after it exited (a process it started holds it?)", e);
        }
    }

    public static Process start(List<String> command, Path log) throws IOException {
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static String read(java.io.InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "<" + e + ">";
        }
    }
}
