package dev.aimesh.bench.push;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;
import dev.aimesh.controlplane.ControlPlane;
import dev.aimesh.controlplane.ControlPlaneOptions;

/**
 * The control plane of {@link PushBenchmark}, in a process of its own as in a deployment (and because one
 * process may not hold the sockets of both ends of 10,000 streams here). Prints {@code ready GRPC ADMIN},
 * then {@code published VERSION MICROS} (wall clock, microseconds since the epoch) whenever its config
 * version changes; stops when its standard input closes.
 *
 * <p>Usage: {@code PushControlPlane CONFIG_DIR DATA_DIR POLL_MILLIS}
 */
public final class PushControlPlane {
    public static void main(String[] args) throws Exception {
        try (ControlPlane cp = ControlPlane.start(new ControlPlaneOptions(Path.of(args[0]), Path.of(args[1]),
                new InetSocketAddress("127.0.0.1", 0), new InetSocketAddress("127.0.0.1", 0), Optional.empty(),
                InstantSource.system(), Duration.ofMillis(Long.parseLong(args[2]))))) {
            System.out.printf("ready %s http://%s%n", ControlPlane.hostPort(cp.grpcAddress()),
                    ControlPlane.hostPort(cp.adminAddress()));
            Thread watcher = Thread.ofPlatform().daemon().start(() -> announce(cp));
            while (System.in.read() >= 0) {
                // runs until the benchmark closes our input
            }
            watcher.interrupt();
        } catch (IOException e) {
            System.err.println("control plane: " + e.getMessage());
        }
        System.exit(0);
    }

    /** Looks every millisecond: cheap, and a millisecond is finer than what it measures. */
    private static void announce(ControlPlane cp) {
        String announced = "";
        try {
            while (true) {
                String version = cp.snapshot().version();
                if (!version.equals(announced)) {
                    Instant now = Instant.now();
                    System.out.printf("published %s %d%n", version, now.getEpochSecond() * 1_000_000 + now.getNano() / 1000);
                    System.out.flush();
                    announced = version;
                }
                Thread.sleep(1);
            }
        } catch (InterruptedException e) {
            // stopping
        }
    }

    private PushControlPlane() {}
}
