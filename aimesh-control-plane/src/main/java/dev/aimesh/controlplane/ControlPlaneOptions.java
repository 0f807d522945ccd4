package dev.aimesh.controlplane;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Optional;

/**
 * How to run a control plane. {@code suppliedCa}: a PEM chain (signing certificate first, root last)
 * and its key, used on first start instead of a generated root.
 */
public record ControlPlaneOptions(Path configDir, Path dataDir, InetSocketAddress grpcListen, InetSocketAddress adminListen,
        Optional<SuppliedCa> suppliedCa, InstantSource clock, Duration pollInterval) {
    public static final int DEFAULT_GRPC_PORT = 15012;
    public static final int DEFAULT_ADMIN_PORT = 15014;

    public record SuppliedCa(Path certificateChain, Path key) {}

    public ControlPlaneOptions {
        requireNonNull(configDir, "configDir");
        requireNonNull(dataDir, "dataDir");
        requireNonNull(grpcListen, "grpcListen");
        requireNonNull(adminListen, "adminListen");
        requireNonNull(suppliedCa, "suppliedCa");
        requireNonNull(clock, "clock");
        requireNonNull(pollInterval, "pollInterval");
        if (!adminListen.getAddress().isLoopbackAddress()) {
            throw new IllegalArgumentException("admin-listen: " + adminListen.getAddress().getHostAddress()
                    + " (expected: a loopback address; the admin API is unauthenticated and serves this machine only)");
        }
    }

    /** Options with loopback listeners on ephemeral ports, as tests and {@code aimesh up} use them. */
    public static ControlPlaneOptions ephemeral(Path configDir, Path dataDir) {
        return new ControlPlaneOptions(configDir, dataDir, new InetSocketAddress("127.0.0.1", 0),
                new InetSocketAddress("127.0.0.1", 0), Optional.empty(), InstantSource.system(), Duration.ofMillis(500));
    }
}
