package dev.aimesh.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import dev.aimesh.controlplane.audit.HashChainedAuditLog;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "audit", mixinStandardHelpOptions = true, description = "Works with the tamper-evident audit log.",
        subcommands = {AuditCommand.Verify.class, AuditCommand.Show.class})
final class AuditCommand {
    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = "Checks the hash chain of an audit log; names the first line that was changed or removed.",
            footerHeading = "%nExamples:%n", footer = "  aimesh audit verify /var/lib/aimesh/audit/audit.log")
    static final class Verify implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "FILE", description = "The audit log (<data-dir>/audit/audit.log).")
        Path file;

        @Override
        public Integer call() throws IOException {
            if (!Files.isRegularFile(file)) {
                throw new CliException(ExitCodes.USAGE, file + ": no such file");
            }
            HashChainedAuditLog.Verification result = HashChainedAuditLog.verifyAll(file);
            if (result.brokenAt().isPresent()) {
                throw new CliException(ExitCodes.FAILED, file + ": the chain breaks at line " + result.brokenAt().get()
                        + " (" + result.found().orElse("") + ")");
            }
            String recovered = result.recoveredBreaks().isEmpty() ? "" : "; recorded breaks (each followed by an"
                    + " audit.recovered entry, from which a new segment verifies) at line(s) " + String.join(", ",
                            result.recoveredBreaks().stream().map(String::valueOf).toList());
            spec.commandLine().getOut().printf("%s: intact, %d entries%s%n", file, result.entries(), recovered);
            return ExitCodes.OK;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "Prints the entries of an audit log as a table, or as the JSON lines they are stored as.",
            footerHeading = "%nExamples:%n", footer = {
                "  aimesh audit show /var/lib/aimesh/audit/audit.log --outcome denied --since 1h",
                "  aimesh audit show audit.log --type authz -o json | jq .caller"})
    static final class Show implements Callable<Integer> {
        enum Outcome { allowed, denied, info }

        @Spec
        CommandSpec spec;

        @Mixin
        OutputMixin output;

        @Parameters(paramLabel = "FILE", description = "The audit log (<data-dir>/audit/audit.log).")
        Path file;

        @Option(names = "--type", paramLabel = "TYPE",
                description = "Only this type and its sub-types: authz.denied, or authz for every authz.* entry.")
        String type;

        @Option(names = "--outcome", paramLabel = "OUTCOME", description = "Only this outcome: ${COMPLETION-CANDIDATES}.")
        Outcome outcome;

        @Option(names = "--since", paramLabel = "WHEN",
                description = "Only entries from this time on: an instant (2026-01-31T09:00:00Z) or a time ago (90s, 10m, 1h).")
        String since;

        @Override
        public Integer call() throws IOException {
            if (!Files.isRegularFile(file)) {
                throw new CliException(ExitCodes.USAGE, file + ": no such file");
            }
            AuditTable.Filter filter = new AuditTable.Filter(Optional.ofNullable(type),
                    Optional.ofNullable(outcome).map(Enum::name), Optional.ofNullable(since).map(Show::instant));
            try {
                List<String> selected = AuditTable.select(Files.readAllLines(file), filter);
                PrintWriter out = spec.commandLine().getOut();
                if (output.json()) {
                    selected.forEach(out::println);
                } else if (selected.isEmpty()) {
                    out.println("no entries match");
                } else {
                    out.print(AuditTable.format(selected));
                }
                out.flush();
            } catch (AuditTable.Unreadable e) {
                throw new CliException(ExitCodes.FAILED, file + ": " + e.getMessage());
            }
            return ExitCodes.OK;
        }

        private static Instant instant(String value) {
            try {
                return value.contains("T") ? Instant.parse(value) : Instant.now().minus(new DurationConverter().convert(value));
            } catch (DateTimeParseException | TypeConversionException e) {
                throw new CliException(ExitCodes.USAGE, "--since: '" + value + "' is neither an instant like"
                        + " 2026-01-31T09:00:00Z nor a time ago like 10m");
            }
        }
    }
}
