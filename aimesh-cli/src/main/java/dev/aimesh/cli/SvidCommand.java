package dev.aimesh.cli;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import dev.aimesh.core.identity.JoinToken;
import dev.aimesh.proxy.agent.BootstrapException;
import dev.aimesh.proxy.agent.SvidFiles;
import dev.aimesh.proxy.agent.WorkloadIdentity;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "svid", mixinStandardHelpOptions = true, description = "Fetches X.509-SVIDs for apps that want the files.",
        subcommands = SvidCommand.Fetch.class)
final class SvidCommand {
    @Command(name = "fetch", mixinStandardHelpOptions = true,
            description = {"Presents a join token, creates a key here and writes svid.pem, svid-key.pem (owner-only)"
                    + " and bundle.pem into --out.",
                    "The private key never leaves this machine; the control plane only sees a CSR."},
            footerHeading = "%nExamples:%n",
            footer = {"  aimesh svid fetch --token \"$(aimesh token create --workload sentiment)\" --out certs/",
                    "  AIMESH_JOIN_TOKEN=jt1... aimesh svid fetch --out certs/ --grpc-address 10.0.0.5:15012",
                    "  openssl verify -CAfile certs/bundle.pem certs/svid.pem"})
    static final class Fetch implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ControlPlaneMixin controlPlane;

        @Mixin
        OutputMixin output;

        @Option(names = "--token", paramLabel = "TOKEN", defaultValue = "${env:AIMESH_JOIN_TOKEN}",
                description = "The join token (or env AIMESH_JOIN_TOKEN, which keeps it out of the process list).")
        String token;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Directory to write the files to.")
        Path out;

        @Option(names = "--grpc-address", paramLabel = "HOST:PORT", converter = HostPort.class,
                description = "The control plane's gRPC address; by default asked from --control-plane.")
        InetSocketAddress grpcAddress;

        @Override
        public Integer call() {
            if (token == null || token.isBlank()) {
                throw new CliException(ExitCodes.USAGE, "a join token is required: --token or env AIMESH_JOIN_TOKEN");
            }
            JoinToken parsed;
            try {
                parsed = JoinToken.parse(token);
            } catch (IllegalArgumentException e) {
                throw new CliException(ExitCodes.USAGE, "--token: " + e.getMessage());
            }
            InetSocketAddress grpc = grpcAddress != null ? grpcAddress
                    : HostPort.parse(controlPlane.client().get("/v1/status").path("grpc").asText());
            try (WorkloadIdentity identity = WorkloadIdentity.bootstrap(grpc, parsed, InstantSource.system())) {
                SvidFiles.write(out, identity.svid(), identity.bundle());
                Map<String, Object> result = new LinkedHashMap<>();
                result.put("spiffeId", identity.svid().id().toString());
                result.put("workload", identity.workload());
                result.put("expiresAt", identity.expiresAt());
                result.put("certificate", out.resolve(SvidFiles.CERTIFICATE).toString());
                result.put("key", out.resolve(SvidFiles.KEY).toString());
                result.put("bundle", out.resolve(SvidFiles.BUNDLE).toString());
                if (output.json()) {
                    spec.commandLine().getOut().println(OutputMixin.toJson(result));
                } else {
                    spec.commandLine().getOut().printf("wrote %s, %s and %s to %s for %s (expires %s)%n", SvidFiles.CERTIFICATE,
                            SvidFiles.KEY, SvidFiles.BUNDLE, out, identity.svid().id(), identity.expiresAt());
                }
                return ExitCodes.OK;
            } catch (BootstrapException e) {
                int code = e.getMessage().startsWith("cannot reach") ? ExitCodes.UNREACHABLE : ExitCodes.FAILED;
                throw new CliException(code, e.getMessage());
            } catch (IOException e) {
                throw new CliException(ExitCodes.FAILED, "cannot write to " + out + ": " + e.getMessage());
            }
        }
    }
}
