package dev.aimesh.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "get", mixinStandardHelpOptions = true, description = "Lists what the control plane knows.",
        subcommands = {GetCommand.Workloads.class, GetCommand.Proxies.class, GetCommand.Status.class})
final class GetCommand {
    abstract static class Listing implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ControlPlaneMixin controlPlane;

        @Mixin
        OutputMixin output;

        abstract String path();

        abstract void print(PrintWriter out, JsonNode data);

        @Override
        public Integer call() {
            JsonNode data = controlPlane.client().get(path());
            if (output.json()) {
                spec.commandLine().getOut().println(OutputMixin.toJson(data));
            } else {
                print(spec.commandLine().getOut(), data);
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "workloads", mixinStandardHelpOptions = true, description = "Workloads and their SPIFFE IDs.",
            footerHeading = "%nExamples:%n", footer = {"  aimesh get workloads", "  aimesh get workloads -o json"})
    static final class Workloads extends Listing {
        @Override
        String path() {
            return "/v1/workloads";
        }

        @Override
        void print(PrintWriter out, JsonNode data) {
            out.printf("%-20s %-28s %s%n", "NAMESPACE", "NAME", "SPIFFE ID");
            data.forEach(w -> out.printf("%-20s %-28s %s%n", w.path("namespace").asText(), w.path("name").asText(),
                    w.path("spiffeId").asText()));
        }
    }

    @Command(name = "proxies", mixinStandardHelpOptions = true, description = "Proxies on the config stream and what they acknowledged.",
            footerHeading = "%nExamples:%n", footer = "  aimesh get proxies --control-plane http://127.0.0.1:15014")
    static final class Proxies extends Listing {
        @Override
        String path() {
            return "/v1/proxies";
        }

        @Override
        void print(PrintWriter out, JsonNode data) {
            out.printf("%-24s %-52s %-8s %-7s %s%n", "NODE", "SPIFFE ID", "CONFIG", "BUNDLE", "LAST NACK");
            data.forEach(p -> out.printf("%-24s %-52s %-8s %-7s %s%n", p.path("node").asText(), p.path("spiffeId").asText(),
                    p.path("ackedVersion").asText(), p.path("ackedBundleVersion").asText(),
                    p.path("lastNack").isNull() ? "-" : p.path("lastNack").asText()));
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "The control plane's state at a glance.",
            footerHeading = "%nExamples:%n", footer = "  aimesh get status -o json")
    static final class Status extends Listing {
        @Override
        String path() {
            return "/v1/status";
        }

        @Override
        void print(PrintWriter out, JsonNode data) {
            data.fields().forEachRemaining(e -> out.printf("%-28s %s%n", e.getKey(),
                    e.getValue().isValueNode() ? e.getValue().asText() : e.getValue().toString()));
        }
    }
}
