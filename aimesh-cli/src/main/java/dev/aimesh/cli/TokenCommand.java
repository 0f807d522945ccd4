package dev.aimesh.cli;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import com.fasterxml.jackson.databind.JsonNode;
import dev.aimesh.core.time.Durations;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "token", mixinStandardHelpOptions = true, description = "Manages join tokens.",
        subcommands = TokenCommand.Create.class)
final class TokenCommand {
    @Command(name = "create", mixinStandardHelpOptions = true,
            description = {"Prints a single-use join token bound to one workload's identity.",
                    "A proxy (or 'aimesh svid fetch') presents it once to get its first certificate."},
            footerHeading = "%nExamples:%n",
            footer = {"  aimesh token create --workload sentiment",
                    "  aimesh token create --workload models/sentiment --ttl 1h --output json"})
    static final class Create implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ControlPlaneMixin controlPlane;

        @Mixin
        OutputMixin output;

        @Option(names = "--workload", required = true, paramLabel = "NAME",
                description = "The Workload's name, or namespace/name.")
        String workload;

        @Option(names = "--ttl", paramLabel = "DURATION", defaultValue = "10m", converter = DurationConverter.class,
                description = "How long the token may be used, at most 24h (default: ${DEFAULT-VALUE}).")
        Duration ttl;

        @Override
        public Integer call() {
            JsonNode grant = controlPlane.client().post("/v1/tokens", Map.of("workload", workload, "ttl", Durations.format(ttl)));
            if (output.json()) {
                spec.commandLine().getOut().println(OutputMixin.toJson(grant));
            } else {
                spec.commandLine().getOut().println(grant.get("token").asText());
                spec.commandLine().getErr().printf("join token for %s (%s), single use, expires %s%n",
                        grant.get("workload").asText(), grant.get("spiffeId").asText(), grant.get("expiresAt").asText());
            }
            return ExitCodes.OK;
        }
    }
}
