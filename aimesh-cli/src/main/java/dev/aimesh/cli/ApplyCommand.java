package dev.aimesh.cli;

import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "apply", mixinStandardHelpOptions = true,
        description = {"Adds or replaces one config file of a running control plane.",
                "The control plane checks it with the rest of its config first: every problem is printed with file,"
                        + " line and field, and nothing changes (exit code 3). Otherwise the file goes to the config"
                        + " directory and reaches every proxy within a second."},
        footerHeading = "%nExamples:%n",
        footer = {"  aimesh apply -f policies.yaml", "  aimesh apply -f ./team-a/llm.yaml --name team-a-llm.yaml"})
final class ApplyCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-f", "--filename"}, paramLabel = "FILE", required = true, description = "The YAML file to apply.")
    Path file;

    @Option(names = "--name", paramLabel = "NAME", description = "Its name in the config directory (default: the file's own name).")
    String name;

    @Mixin
    ControlPlaneMixin controlPlane;

    @Override
    public Integer call() {
        String text;
        try {
            text = Files.readString(file);
        } catch (MalformedInputException e) {
            throw new CliException(ExitCodes.USAGE, file + " is not UTF-8 text");
        } catch (IOException e) {
            throw new CliException(ExitCodes.USAGE, "cannot read " + file + ": " + e.getMessage());
        }
        String target = name != null ? name : file.getFileName().toString();
        controlPlane.client().post("/v1/config/apply", Map.of("name", target, "text", text));
        spec.commandLine().getOut().printf("applied %s; the control plane pushes it to its proxies%n", target);
        return ExitCodes.OK;
    }
}
