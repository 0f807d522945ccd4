package dev.aimesh.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Callable;
import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "certs", mixinStandardHelpOptions = true, description = "Shows and rotates the mesh's certificate authority.",
        subcommands = {CertsCommand.Status.class, CertsCommand.RotateRoot.class, CertsCommand.Bundle.class})
final class CertsCommand {
    static void printCa(PrintWriter out, JsonNode ca) {
        out.printf("trust domain %s, bundle version %d%n", ca.path("trustDomain").asText(), ca.path("bundleVersion").asLong());
        for (JsonNode root : ca.path("roots")) {
            out.printf("  %s %s%n    %s, expires %s, key sha256 %s%n", root.path("signing").asBoolean() ? "*" : " ",
                    root.path("id").asText(), root.path("subject").asText(), root.path("notAfter").asText(),
                    root.path("spkiSha256").asText());
        }
        JsonNode rotation = ca.path("rotation");
        if (rotation.isMissingNode() || rotation.isNull()) {
            out.println("no rotation in progress (* = signing)");
        } else if (rotation.path("phase").asText().equals("PREPARED")) {
            out.printf("rotation: %s joined the bundle; waiting for every proxy to have it (%d of %d have it)%n",
                    rotation.path("to").asText(), rotation.path("proxiesWithNewBundle").asLong(), rotation.path("proxies").asLong());
        } else {
            out.printf("rotation: %s signs; %s leaves the bundle at %s, when the last certificate it signed has expired%n",
                    rotation.path("to").asText(), rotation.path("from").asText(), rotation.path("retireAt").asText());
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "Shows the roots in the trust bundle and any rotation.",
            footerHeading = "%nExamples:%n", footer = {"  aimesh certs status", "  aimesh certs status -o json"})
    static final class Status implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ControlPlaneMixin controlPlane;

        @Mixin
        OutputMixin output;

        @Override
        public Integer call() {
            JsonNode ca = controlPlane.client().get("/v1/ca");
            if (output.json()) {
                spec.commandLine().getOut().println(OutputMixin.toJson(ca));
            } else {
                printCa(spec.commandLine().getOut(), ca);
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "rotate-root", mixinStandardHelpOptions = true,
            description = {"Rotates the root without downtime: a new root joins the trust bundle; once every proxy has"
                    + " the new bundle it starts signing; the old root leaves once the last certificate it signed has expired.",
                    "With --wait, follows the rotation until the new root signs."},
            footerHeading = "%nExamples:%n",
            footer = {"  aimesh certs rotate-root --wait", "  aimesh certs status"})
    static final class RotateRoot implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ControlPlaneMixin controlPlane;

        @Option(names = "--wait", description = "Wait until the new root signs (progress is printed).")
        boolean await;

        @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "10m", converter = DurationConverter.class,
                description = "How long --wait waits (default: ${DEFAULT-VALUE}).")
        Duration timeout;

        @Override
        public Integer call() throws InterruptedException {
            AdminClient client = controlPlane.client();
            PrintWriter out = spec.commandLine().getOut();
            JsonNode ca = client.post("/v1/ca/rotate-root", Map.of());
            out.printf("rotation started: %s joined the trust bundle (version %d)%n", ca.path("rotation").path("to").asText(),
                    ca.path("bundleVersion").asLong());
            if (!await) {
                out.println("follow it with: aimesh certs status");
                return ExitCodes.OK;
            }
            Instant deadline = Instant.now().plus(timeout);
            String lastLine = "";
            while (Instant.now().isBefore(deadline)) {
                JsonNode rotation = client.get("/v1/ca").path("rotation");
                if (rotation.isNull() || rotation.isMissingNode() || !rotation.path("phase").asText().equals("PREPARED")) {
                    out.println("the new root now signs; the old one stays trusted until its last certificate expires");
                    return ExitCodes.OK;
                }
                String line = String.format("waiting for proxies: %d of %d have the new bundle",
                        rotation.path("proxiesWithNewBundle").asLong(), rotation.path("proxies").asLong());
                if (!line.equals(lastLine)) {
                    out.println(line);
                    out.flush();
                    lastLine = line;
                }
                Thread.sleep(500);
            }
            throw new CliException(ExitCodes.FAILED, "the rotation did not switch within " + timeout.toSeconds()
                    + "s; some proxies have not taken the new bundle (see aimesh get proxies)");
        }
    }

    @Command(name = "bundle", mixinStandardHelpOptions = true, description = "Prints the trust bundle as PEM.",
            footerHeading = "%nExamples:%n", footer = "  aimesh certs bundle > bundle.pem")
    static final class Bundle implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ControlPlaneMixin controlPlane;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            out.print(controlPlane.client().getText("/v1/bundle"));
            out.flush();
            return ExitCodes.OK;
        }
    }
}
