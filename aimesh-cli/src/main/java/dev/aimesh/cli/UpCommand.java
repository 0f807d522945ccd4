package dev.aimesh.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import dev.aimesh.controlplane.ControlPlane;
import dev.aimesh.controlplane.ControlPlaneOptions;
import dev.aimesh.core.identity.JoinToken;
import dev.aimesh.core.resource.Workload;
import dev.aimesh.identity.x509.X509SvidVerifier;
import dev.aimesh.proxy.agent.BootstrapException;
import dev.aimesh.proxy.agent.ConfigStreamClient;
import dev.aimesh.proxy.agent.SvidFiles;
import dev.aimesh.proxy.agent.WorkloadIdentity;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "up", mixinStandardHelpOptions = true,
        description = {"Runs a whole local mesh from a directory of YAML: the control plane, and for every Workload an"
                + " identity that is issued with a join token, renewed at half-life and kept on the config stream.",
                "Each workload's certificate files are kept current under <data-dir>/workloads/<namespace>/<name>/."},
        footerHeading = "%nExamples:%n",
        footer = {"  aimesh up examples/quickstart", "  aimesh up examples/quickstart --once   # demonstrate, then exit 0"})
final class UpCommand implements Callable<Integer> {
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(20);

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "DIR", description = "Directory of YAML resources (Mesh, Workload, ...).")
    Path dir;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "State of this mesh (default: DIR/.aimesh).")
    Path dataDir;

    @Option(names = "--grpc-listen", paramLabel = "HOST:PORT", converter = HostPort.class, defaultValue = "127.0.0.1:0",
            description = "Control plane gRPC address (default: a free loopback port).")
    InetSocketAddress grpcListen;

    @Option(names = "--admin-listen", paramLabel = "HOST:PORT", converter = HostPort.class, defaultValue = "127.0.0.1:0",
            description = "Admin API address (default: a free loopback port).")
    InetSocketAddress adminListen;

    @Option(names = "--once", description = "Run the demonstration, print the summary and exit (0 on success).")
    boolean once;

    private record Member(Workload workload, WorkloadIdentity identity, ConfigStreamClient config, Path files) {}

    @Override
    public Integer call() throws InterruptedException {
        if (!Files.isDirectory(dir)) {
            throw new CliException(ExitCodes.USAGE, dir + " is not a directory");
        }
        Path data = dataDir != null ? dataDir : dir.resolve(".aimesh");
        PrintWriter out = spec.commandLine().getOut();
        ControlPlane cp = ControlPlaneCommand.start(new ControlPlaneOptions(dir, data, grpcListen, adminListen,
                Optional.empty(), InstantSource.system(), Duration.ofMillis(500)));
        List<Member> members = new ArrayList<>();
        Runnable shutdown = () -> {
            members.forEach(m -> {
                m.config().close();
                m.identity().close();
            });
            cp.close();
        };
        try {
            out.printf("aimesh up %s (trust domain %s)%n", dir, cp.trustDomain());
            out.printf("  control plane  gRPC %s, admin http://%s%n", ControlPlane.hostPort(cp.grpcAddress()),
                    ControlPlane.hostPort(cp.adminAddress()));
            out.printf("  data           %s%n", data);
            out.flush();
            for (Workload workload : cp.config().workloads()) {
                members.add(join(cp, workload, data));
            }
            awaitConfig(members);
            printSummary(out, cp, members);
            if (once) {
                verify(cp, members);
                out.println("ok: every workload holds a valid SVID and follows the config stream");
                return ExitCodes.OK;
            }
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                shutdown.run();
                stopped.countDown();
            }));
            out.println("the mesh is running; Ctrl-C stops it");
            out.flush();
            stopped.await();
            return ExitCodes.OK;
        } finally {
            if (once) {
                shutdown.run();
            }
        }
    }

    private static Member join(ControlPlane cp, Workload workload, Path data) {
        String ref = workload.namespace() + "/" + workload.name();
        ControlPlane.TokenGrant grant = cp.createToken(ref, Duration.ofMinutes(5));
        WorkloadIdentity identity;
        try {
            identity = WorkloadIdentity.bootstrap(cp.grpcAddress(), JoinToken.parse(grant.token()), InstantSource.system());
        } catch (BootstrapException e) {
            throw new CliException(ExitCodes.FAILED, "workload " + ref + " could not join: " + e.getMessage());
        }
        Path files = data.resolve("workloads").resolve(workload.namespace()).resolve(workload.name());
        writeFiles(identity, files);
        identity.onSvidChange(svid -> writeFiles(identity, files));
        identity.startRenewal();
        ConfigStreamClient config = new ConfigStreamClient(identity, ref, "", (snapshot, bundle) -> {
            identity.updateBundle(bundle);
            writeFiles(identity, files);
            return Optional.empty();
        });
        config.start();
        return new Member(workload, identity, config, files);
    }

    static String hostPort(InetSocketAddress address) {
        return address.getHostString() + ":" + address.getPort();
    }

    private static void writeFiles(WorkloadIdentity identity, Path dir) {
        try {
            SvidFiles.write(dir, identity.svid(), identity.bundle());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the SVID files to " + dir, e);
        }
    }

    private static void awaitConfig(List<Member> members) throws InterruptedException {
        Instant deadline = Instant.now().plus(READY_TIMEOUT);
        while (members.stream().anyMatch(m -> m.config().appliedVersion().isEmpty())) {
            if (Instant.now().isAfter(deadline)) {
                throw new CliException(ExitCodes.FAILED, "workloads did not receive their config within "
                        + READY_TIMEOUT.toSeconds() + "s");
            }
            Thread.sleep(50);
        }
    }

    private static void printSummary(PrintWriter out, ControlPlane cp, List<Member> members) {
        out.printf("identities issued (renewed at half-life, %d workload(s)):%n", members.size());
        for (Member m : members) {
            out.printf("  %-32s %-52s expires %s%n", m.workload().namespace() + "/" + m.workload().name(),
                    m.identity().svid().id(), m.identity().expiresAt());
        }
        out.printf("every workload follows the config stream (config %s)%n", members.isEmpty() ? "-"
                : members.get(0).config().appliedVersion());
        out.println("next:");
        out.printf("  export AIMESH_CONTROL_PLANE=http://%s%n", ControlPlane.hostPort(cp.adminAddress()));
        out.println("  aimesh get proxies; aimesh certs status; aimesh certs rotate-root --wait");
        if (!members.isEmpty()) {
            Path files = members.get(0).files();
            out.printf("  openssl verify -CAfile %s %s%n", files.resolve(SvidFiles.BUNDLE), files.resolve(SvidFiles.CERTIFICATE));
        }
        out.flush();
    }

    private static void verify(ControlPlane cp, List<Member> members) {
        for (Member m : members) {
            var result = X509SvidVerifier.verify(m.identity().chain(), cp.bundle(), cp.ca().trustDomain(),
                    X509SvidVerifier.Role.CLIENT, Instant.now(), cp.ca().revokedSerials());
            if (result instanceof X509SvidVerifier.Verification.Rejected rejected) {
                throw new CliException(ExitCodes.FAILED, m.workload().name() + ": its SVID does not verify: " + rejected.reason());
            }
        }
    }
}
