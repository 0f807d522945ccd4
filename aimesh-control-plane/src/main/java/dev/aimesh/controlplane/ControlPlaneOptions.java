package dev.aimesh.controlplane;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Optional;
import dev.aimesh.controlplane.audit.HashChainedAuditLog;

/**
 * How to run a control plane. {@code suppliedCa}: a PEM chain (signing certificate first, root last)
 * and its key, used on first start instead of a generated root. {@code onBrokenAuditChain}: what to do when
 * the audit log's chain is found broken at start (refuse, unless the operator asked to recover).
 * {@code restartGrace}: how long after a start the endpoints served before it still count for a workload whose
 * proxy has not rejoined yet (longer than the proxies' reconnect backoff, capped at 3 s).
 */
public record ControlPlaneOptions(Path configDir, Path dataDir, InetSocketAddress grpcListen, InetSocketAddress adminListen,
        Optional<SuppliedCa> suppliedCa, InstantSource clock, Duration pollInterval,
        HashChainedAuditLog.OnBrokenChain onBrokenAuditChain, Duration restartGrace) {
    public static final int DEFAULT_GRPC_PORT = 15012;
    public static final int DEFAULT_ADMIN_PORT = 15014;
    public static final Duration DEFAULT_RESTART_GRACE = Duration.ofSeconds(30);

    public record SuppliedCa(Path certificateChain, Path key) {}

    public ControlPlaneOptions {
        requireNonNull(configDir, "configDir");
        requireNonNull(dataDir, "dataDir");
        requireNonNull(grpcListen, "grpcListen");
        requireNonNull(adminListen, "adminListen");
        requireNonNull(suppliedCa, "suppliedCa");
        requireNonNull(clock, "clock");
        requireNonNull(pollInterval, "pollInterval");
        requireNonNull(onBrokenAuditChain, "onBrokenAuditChain");
        requireNonNull(restartGrace, "restartGrace");
        if (restartGrace.isNegative()) {
            throw new IllegalArgumentException("restart-grace: " + restartGrace + " (expected: zero or more)");
        }
        if (!adminListen.getAddress().isLoopbackAddress()) {
            throw new IllegalArgumentException("admin-listen: " + adminListen.getAddress().getHostAddress()
                    + " (expected: a loopback address; the admin API serves this machine only)");
        }
    }

    /** Options with the default restart grace. */
    public ControlPlaneOptions(Path configDir, Path dataDir, InetSocketAddress grpcListen, InetSocketAddress adminListen,
            Optional<SuppliedCa> suppliedCa, InstantSource clock, Duration pollInterval,
            HashChainedAuditLog.OnBrokenChain onBrokenAuditChain) {
        this(configDir, dataDir, grpcListen, adminListen, suppliedCa, clock, pollInterval, onBrokenAuditChain,
                DEFAULT_RESTART_GRACE);
    }

    /** These options with another restart grace. */
    public ControlPlaneOptions withRestartGrace(Duration grace) {
        return new ControlPlaneOptions(configDir, dataDir, grpcListen, adminListen, suppliedCa, clock, pollInterval,
                onBrokenAuditChain, grace);
    }

    /** Options that refuse a broken audit chain, as every start does unless the operator asks to recover. */
    public ControlPlaneOptions(Path configDir, Path dataDir, InetSocketAddress grpcListen, InetSocketAddress adminListen,
            Optional<SuppliedCa> suppliedCa, InstantSource clock, Duration pollInterval) {
        this(configDir, dataDir, grpcListen, adminListen, suppliedCa, clock, pollInterval, HashChainedAuditLog.OnBrokenChain.REFUSE);
    }

    /** Options with loopback listeners on ephemeral ports, as tests and {@code aimesh up} use them. */
    public static ControlPlaneOptions ephemeral(Path configDir, Path dataDir) {
        return new ControlPlaneOptions(configDir, dataDir, new InetSocketAddress("127.0.0.1", 0),
                new InetSocketAddress("127.0.0.1", 0), Optional.empty(), InstantSource.system(), Duration.ofMillis(500));
    }
}
