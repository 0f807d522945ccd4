package dev.aimesh.bench.sidebyside;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A process the benchmark started, pinned to given CPUs, its output in a log file; closing stops it and its children. */
public final class Launched implements AutoCloseable {
    private final String name;
    private final Process process;
    private final Path log;
    private final long startedNanos;

    private Launched(String name, Process process, Path log, long startedNanos) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.startedNanos = startedNanos;
    }

    /** Starts {@code command} under {@code taskset -c cpus}; stdout and stderr go to {@code log}. */
    public static Launched start(String name, String cpus, List<String> command, Map<String, String> env, Path log) {
        List<String> pinned = new ArrayList<>(List.of("taskset", "-c", cpus));
        pinned.addAll(command);
        ProcessBuilder builder = new ProcessBuilder(pinned).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(env);
        long started = System.nanoTime();
        try {
            return new Launched(name, builder.start(), log, started);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + " (" + String.join(" ", command) + ")", e);
        }
    }

    public String name() {
        return name;
    }

    /** The pid (taskset execs the command, so it is the command's own). */
    public long pid() {
        return process.pid();
    }

    /** Waits for a line of output matching {@code pattern}; returns the match and how long after the start it appeared. */
    public Matcher awaitOutput(Pattern pattern, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Matcher m = pattern.matcher(output());
            if (m.find()) {
                return m;
            }
            failIfExited();
            pause();
        }
        throw new IllegalStateException(name + " did not print /" + pattern + "/ within " + timeout.toSeconds() + " s; see " + log);
    }

    /** Nanoseconds from the start until {@code pattern} appears (polled every millisecond). */
    public long nanosUntilOutput(Pattern pattern, Duration timeout) {
        awaitOutput(pattern, timeout);
        return System.nanoTime() - startedNanos;
    }

    /** Waits until {@code port} on loopback accepts a connection. */
    public void awaitPort(int port, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                failIfExited();
                pause();
            }
        }
        throw new IllegalStateException(name + " is not listening on " + port + " after " + timeout.toSeconds() + " s; see " + log);
    }

    public String output() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * Runs a command to completion and returns its standard output; a non-zero exit, or a run past
     * {@code timeout} (the command is then killed), is an error that quotes its output.
     */
    public static String run(List<String> command, Duration timeout) {
        Path out = null;
        Path err = null;
        try {
            out = Files.createTempFile("aimesh-bench-", ".out");
            err = Files.createTempFile("aimesh-bench-", ".err");
            ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
            builder.environment().putAll(AimeshControlPlane.ENV); // a source edited mid-run must not rebuild aimesh
            Process p = builder.start();
            p.getOutputStream().close();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                throw new IllegalStateException(String.join(" ", command) + " did not finish within " + timeout.toSeconds()
                        + " s: " + (Files.readString(out) + Files.readString(err)).strip());
            }
            String text = Files.readString(out);
            if (p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " exited " + p.exitValue() + ": "
                        + (text + Files.readString(err)).strip());
            }
            return text;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command.get(0), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } finally {
            deleteQuietly(out);
            deleteQuietly(err);
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            if (file != null) {
                Files.deleteIfExists(file);
            }
        } catch (IOException ignored) {
            // a temporary file left behind harms nothing
        }
    }

    /** Where the first {@code command} word lives on the PATH, if anywhere. */
    public static Optional<Path> onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path p = Path.of(dir, command);
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** Throws, quoting the end of its output, if the process has exited. */
    public void failIfExited() {
        if (!process.isAlive()) {
            throw new IllegalStateException(name + " exited with " + process.exitValue() + ": " + tail(output()));
        }
    }

    private static String tail(String text) {
        String[] lines = text.strip().split("\n");
        return String.join(" | ", java.util.Arrays.copyOfRange(lines, Math.max(0, lines.length - 5), lines.length));
    }

    private static void pause() {
        try {
            Thread.sleep(1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
