package dev.aimesh.cli;

import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import dev.aimesh.controlplane.ControlPlane;
import dev.aimesh.proxy.agent.SvidFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "up", mixinStandardHelpOptions = true,
        description = {"Runs a whole local mesh from a directory of YAML: the control plane, the demo models it asks for,"
                + " and a proxy per workload, each joined with its own token; then shows a call through the mesh.",
                "Listener addresses go to <data-dir>/endpoints.json; each proxy's state (certificate files,"
                        + " last good config; a restart resumes from it) to <data-dir>/workloads/<ns>/<name>/."},
        footerHeading = "%nExamples:%n",
        footer = {"  aimesh up examples/quickstart", "  aimesh up examples/quickstart --once   # demonstrate, then exit (0 on success)"})
final class UpCommand implements Callable<Integer> {
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

    @Option(names = "--audit-recover", description = "When the audit log's hash chain is found broken, record the break"
            + " and continue with a new chain segment, instead of refusing to start.")
    boolean auditRecover;

    @Option(names = "--once", description = "Run the demonstration, print the summary and exit (0 on success).")
    boolean once;

    @Override
    public Integer call() throws InterruptedException {
        if (!Files.isDirectory(dir)) {
            throw new CliException(ExitCodes.USAGE, dir + " is not a directory");
        }
        Path data = dataDir != null ? dataDir : dir.resolve(".aimesh");
        PrintWriter out = spec.commandLine().getOut();
        out.printf("starting the mesh in %s ...%n", dir);
        out.flush();
        LocalMesh mesh = LocalMesh.start(dir, data, grpcListen, adminListen, ControlPlaneCommand.onBrokenChain(auditRecover));
        boolean closed = false;
        try {
            ControlPlane cp = mesh.controlPlane();
            out.printf("control plane   gRPC %s, admin http://%s, trust domain %s%n", ControlPlane.hostPort(cp.grpcAddress()),
                    ControlPlane.hostPort(cp.adminAddress()), cp.trustDomain());
            out.printf("identities issued (renewed at half-life):%n");
            for (LocalMesh.Member m : mesh.members()) {
                out.printf("  %-26s %-50s %s%n", m.ref(), m.identity().svid().id(), listeners(m));
            }
            List<Demonstration.Step> steps = Demonstration.run(mesh);
            steps.forEach(s -> out.printf("%s %s%n", s.ok() ? "  ok  " : "  FAIL", s.line()));
            out.println("next:");
            out.printf("  export AIMESH_CONTROL_PLANE=http://%s AIMESH_ADMIN_TOKEN_FILE=%s%n",
                    ControlPlane.hostPort(cp.adminAddress()), cp.adminTokenFile());
            out.println("  aimesh get workloads; aimesh get proxies; aimesh certs rotate-root --wait");
            mesh.members().stream().filter(m -> m.proxy().outboundAddress().isPresent()).findFirst().ifPresent(m ->
                    out.printf("  curl -x http://%s http://<workload>.<namespace>/...   (calls as %s)%n",
                            LocalMesh.hostPort(m.proxy().outboundAddress().orElseThrow()), m.ref()));
            mesh.members().stream().findFirst().ifPresent(m -> out.printf("  openssl x509 -noout -text -in %s%n",
                    m.files().resolve(SvidFiles.CERTIFICATE)));
            out.printf("  endpoints of every listener: %s%n", data.resolve("endpoints.json"));
            out.flush();
            boolean ok = steps.stream().allMatch(Demonstration.Step::ok);
            if (once) {
                if (!ok) {
                    throw new CliException(ExitCodes.FAILED, "the demonstration failed: "
                            + steps.stream().filter(s -> !s.ok()).map(Demonstration.Step::line).findFirst().orElse(""));
                }
                out.println("ok: the mesh works; stopping (--once)");
                return ExitCodes.OK;
            }
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                mesh.close();
                stopped.countDown();
            }));
            closed = true; // the shutdown hook owns it now
            out.println("the mesh is running; Ctrl-C stops it");
            out.flush();
            stopped.await();
            return ExitCodes.OK;
        } finally {
            if (!closed) {
                mesh.close();
            }
        }
    }

    private static String listeners(LocalMesh.Member m) {
        StringBuilder s = new StringBuilder();
        m.proxy().inboundAddress().ifPresent(a -> s.append("inbound mTLS ").append(LocalMesh.hostPort(a)).append(' '));
        m.model().ifPresent(model -> s.append("-> model ").append(LocalMesh.hostPort(model.address())).append(' '));
        m.proxy().outboundAddress().ifPresent(a -> s.append("outbound ").append(LocalMesh.hostPort(a)));
        return s.toString().strip();
    }

    static String hostPort(InetSocketAddress address) {
        return LocalMesh.hostPort(address);
    }
}
