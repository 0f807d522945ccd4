package dev.aimesh.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import dev.aimesh.controlplane.audit.HashChainedAuditLog;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "audit", mixinStandardHelpOptions = true, description = "Works with the tamper-evident audit log.",
        subcommands = AuditCommand.Verify.class)
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
            Optional<Long> broken = HashChainedAuditLog.verify(file);
            if (broken.isPresent()) {
                throw new CliException(ExitCodes.FAILED, file + ": the chain breaks at line " + broken.get()
                        + " (changed, inserted or removed entries)");
            }
            spec.commandLine().getOut().printf("%s: intact, %d entries%n", file, Files.readAllLines(file).size());
            return ExitCodes.OK;
        }
    }
}
