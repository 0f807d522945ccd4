package dev.aimesh.cli;

import java.util.List;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;

/** {@code aimesh}: the command line of the mesh. */
@Command(name = "aimesh", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Zero-trust service mesh for AI model serving: mutual TLS between SPIFFE identities,"
                + " certificates that issue and rotate themselves, policy, audit.",
        subcommands = {UpCommand.class, ControlPlaneCommand.class, ProxyCommand.class, TokenCommand.class, SvidCommand.class,
                CertsCommand.class, GetCommand.class, ApplyCommand.class, CheckCommand.class, AnalyzeCommand.class, AuditCommand.class, HelpCommand.class},
        footerHeading = "%nExamples:%n",
        footer = {"  aimesh up examples/quickstart             run a whole local mesh",
                "  aimesh control-plane --config-dir mesh/ --data-dir /var/lib/aimesh",
                "  aimesh token create --workload sentiment   a join token for one workload",
                "  aimesh svid fetch --token jt1... --out certs/",
                "",
                "Exit codes: 0 done, 1 failed or refused, 2 wrong usage, 3 invalid config, 4 control plane unreachable,",
                "  5 denied (check), 6 warnings (analyze), 7 admin token missing or refused, 8 data directory in use,",
                "  9 audit chain broken (start with --audit-recover)."})
public final class Main {
    /** Commands that run for long and should say what they do. */
    private static final Set<String> CHATTY = Set.of("control-plane", "proxy");

    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String... args) {
        CliErrors.logLevel(List.of(args).stream().filter(a -> !a.startsWith("-")).findFirst().filter(CHATTY::contains).isPresent());
        CommandLine cli = new CommandLine(Main.class);
        cli.setExecutionExceptionHandler(new CliErrors());
        return cli.execute(args);
    }
}
