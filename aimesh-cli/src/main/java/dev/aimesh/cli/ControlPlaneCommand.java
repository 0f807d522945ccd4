package dev.aimesh.cli;

import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import dev.aimesh.controlplane.ConfigRejectedException;
import dev.aimesh.controlplane.ControlPlane;
import dev.aimesh.controlplane.ControlPlaneOptions;
import dev.aimesh.controlplane.DataDirectoryLockedException;
import dev.aimesh.controlplane.audit.BrokenAuditChainException;
import dev.aimesh.controlplane.audit.HashChainedAuditLog;
import dev.aimesh.controlplane.config.ConfigDirectory;
import dev.aimesh.core.config.Diagnostic;
import dev.aimesh.identity.ca.CaStoreException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "control-plane", mixinStandardHelpOptions = true,
        description = {"Runs the control plane: certificate authority, join tokens, config push to proxies, admin API.",
                "Config changes in --config-dir are picked up while it runs; a change with problems is refused"
                        + " and the running config stays."},
        footerHeading = "%nExamples:%n",
        footer = {"  aimesh control-plane --config-dir examples/quickstart --data-dir /tmp/aimesh",
                "  aimesh control-plane --config-dir mesh/ --validate",
                "  aimesh control-plane --config-dir mesh/ --data-dir d/ --ca-cert ca-chain.pem --ca-key ca-key.pem"})
final class ControlPlaneCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--config-dir", required = true, paramLabel = "DIR", description = "Directory of YAML resources.")
    Path configDir;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Where the CA, tokens and audit log live (required unless --validate).")
    Path dataDir;

    @Option(names = "--grpc-listen", paramLabel = "HOST:PORT", converter = HostPort.class,
            defaultValue = "127.0.0.1:" + ControlPlaneOptions.DEFAULT_GRPC_PORT,
            description = "Address for proxies (default: ${DEFAULT-VALUE}; port 0 picks a free port).")
    InetSocketAddress grpcListen;

    @Option(names = "--admin-listen", paramLabel = "HOST:PORT", converter = HostPort.class,
            defaultValue = "127.0.0.1:" + ControlPlaneOptions.DEFAULT_ADMIN_PORT,
            description = "Loopback address of the admin API for the CLI (default: ${DEFAULT-VALUE}).")
    InetSocketAddress adminListen;

    @Option(names = "--ca-cert", paramLabel = "FILE", description = "PEM chain of a CA to use on first start (signing certificate first, root last).")
    Path caCert;

    @Option(names = "--ca-key", paramLabel = "FILE", description = "PEM private key of --ca-cert.")
    Path caKey;

    @Option(names = "--audit-recover", description = "When the audit log's hash chain is found broken, record the break"
            + " in the log (what was found, at which line) and continue with a new chain segment, instead of refusing to start.")
    boolean auditRecover;

    @Option(names = "--restart-grace", paramLabel = "DURATION", defaultValue = "30s", converter = DurationConverter.class,
            description = "After a restart, how long a workload whose proxy has not rejoined yet keeps the endpoints served"
                    + " before it (default: ${DEFAULT-VALUE}; 0s: only connected proxies count).")
    Duration restartGrace;

    @Option(names = "--validate", description = "Check the config directory, print every problem, and exit (0 when valid, 3 otherwise).")
    boolean validate;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        if (!Files.isDirectory(configDir)) {
            throw new CliException(ExitCodes.USAGE, "--config-dir: " + configDir + " is not a directory");
        }
        if (validate) {
            return validate(out);
        }
        if (dataDir == null) {
            throw new CliException(ExitCodes.USAGE, "--data-dir is required to run a control plane");
        }
        if ((caCert == null) != (caKey == null)) {
            throw new CliException(ExitCodes.USAGE, "--ca-cert and --ca-key go together");
        }
        Optional<ControlPlaneOptions.SuppliedCa> supplied = Optional.ofNullable(caCert)
                .map(c -> new ControlPlaneOptions.SuppliedCa(c, caKey));
        ControlPlaneOptions options;
        try {
            options = new ControlPlaneOptions(configDir, dataDir, grpcListen, adminListen, supplied, InstantSource.system(),
                    Duration.ofSeconds(1), onBrokenChain(auditRecover), restartGrace);
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCodes.USAGE, e.getMessage());
        }
        ControlPlane cp = start(options);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            cp.close();
            stopped.countDown();
        }));
        out.printf("control plane ready: gRPC %s, admin http://%s (token in %s), trust domain %s (Ctrl-C stops it)%n",
                ControlPlane.hostPort(cp.grpcAddress()), ControlPlane.hostPort(cp.adminAddress()), cp.adminTokenFile(),
                cp.trustDomain());
        out.flush();
        stopped.await();
        return ExitCodes.OK;
    }

    static HashChainedAuditLog.OnBrokenChain onBrokenChain(boolean recover) {
        return recover ? HashChainedAuditLog.OnBrokenChain.RECOVER : HashChainedAuditLog.OnBrokenChain.REFUSE;
    }

    static ControlPlane start(ControlPlaneOptions options) {
        try {
            return ControlPlane.start(options);
        } catch (DataDirectoryLockedException e) {
            throw new CliException(ExitCodes.DATA_DIR_LOCKED, e.getMessage());
        } catch (BrokenAuditChainException e) {
            throw new CliException(ExitCodes.AUDIT_CHAIN_BROKEN, e.getMessage());
        } catch (ConfigRejectedException e) {
            throw new CliException(ExitCodes.CONFIG_INVALID, e.getMessage());
        } catch (CaStoreException e) {
            throw new CliException(ExitCodes.FAILED, "the certificate authority cannot start: " + e.getMessage());
        } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
            throw new CliException(ExitCodes.FAILED, e.getMessage());
        }
    }

    private int validate(PrintWriter out) {
        ConfigDirectory.Reading reading = new ConfigDirectory(configDir).read();
        if (reading.ok()) {
            out.printf("%s: valid (%d workload(s), trust domain %s)%n", configDir, reading.config().workloads().size(),
                    reading.config().mesh().trustDomain());
            return ExitCodes.OK;
        }
        PrintWriter err = spec.commandLine().getErr();
        for (Diagnostic d : reading.problems()) {
            err.println(d);
        }
        err.printf("%d problem(s) in %s%n", reading.problems().size(), configDir);
        return ExitCodes.CONFIG_INVALID;
    }
}
