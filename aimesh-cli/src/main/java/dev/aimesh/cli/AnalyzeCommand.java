package dev.aimesh.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import com.fasterxml.jackson.databind.ObjectMapper;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import dev.aimesh.core.analysis.Finding;
import dev.aimesh.core.analysis.MeshAnalysis;

@Command(name = "analyze", mixinStandardHelpOptions = true,
        description = {"Reports what in a valid config is likely a mistake, and who can reach each workload.",
                "Policies that select nothing, ALLOW rules that grant everything, rules that can never match"
                        + " (another trust domain, a namespace with no workload, request principals without a"
                        + " RequestAuthentication, an expired grant), then every serving workload's callers.",
                "Exit code 0, or 6 with --fail-on-warning when there are warnings."},
        footerHeading = "%nExamples:%n",
        footer = {"  aimesh analyze --config-dir examples/quickstart", "  aimesh analyze -o json --fail-on-warning"})
final class AnalyzeCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    CommandSpec spec;

    @Option(names = "--config-dir", paramLabel = "DIR", description = "Analyze this directory of YAML instead of asking a control plane.")
    Path configDir;

    @Option(names = "--fail-on-warning", description = "Exit with 6 when there is a warning (for CI).")
    boolean failOnWarning;

    @Mixin
    ControlPlaneMixin controlPlane;

    @Mixin
    OutputMixin output;

    @Override
    public Integer call() {
        MeshAnalysis.Report report = MeshAnalysis.analyze(MeshConfigs.load(configDir, controlPlane), Instant.now());
        PrintWriter out = spec.commandLine().getOut();
        if (output.json()) {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("findings", report.findings().stream().map(f -> Map.of("severity", f.severity().name().toLowerCase(),
                    "position", f.position().toString(), "subject", f.subject(), "message", f.message())).toList());
            json.put("reach", report.reach().stream().map(r -> Map.of("workload", r.workload(), "everyone", r.everyone(),
                    "callers", r.callers())).toList());
            out.println(OutputMixin.toJson(JSON.valueToTree(json)));
        } else {
            if (report.findings().isEmpty()) {
                out.println("no findings");
            }
            report.findings().forEach(out::println);
            out.println("who can reach each workload that serves:");
            for (MeshAnalysis.Reach r : report.reach()) {
                if (r.everyone()) {
                    out.printf("  %s: every caller (no ALLOW policy applies)%n", r.workload());
                } else if (r.callers().isEmpty()) {
                    out.printf("  %s: nobody%n", r.workload());
                } else {
                    out.printf("  %s:%n", r.workload());
                    r.callers().forEach(c -> out.printf("    %s%n", c));
                }
            }
        }
        boolean warned = report.findings().stream().anyMatch(f -> f.severity() == Finding.Severity.WARNING);
        return failOnWarning && warned ? ExitCodes.WARNINGS : ExitCodes.OK;
    }
}
