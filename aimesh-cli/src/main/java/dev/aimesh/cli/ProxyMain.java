package dev.aimesh.cli;

import picocli.CommandLine;

/**
 * {@code aimesh proxy} as a process of its own ({@code bin/aimesh proxy} starts this class): the same
 * options, help and exit codes as the subcommand, without building the model of every other command (whose
 * option types pull in the control plane, Jackson and the admin client's HTTP stack before the proxy needs
 * any of them). A sidecar restarts with every deploy, so what it loads at start is paid in start-up time
 * and in metaspace for as long as it runs.
 */
public final class ProxyMain {
    private ProxyMain() {}

    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String... args) {
        CliErrors.logLevel(true); // before the warm-up thread starts logback, which reads the level once
        ProxyWarmup.start();
        CommandLine cli = new CommandLine(new ProxyCommand()).setCommandName("aimesh proxy");
        cli.setExecutionExceptionHandler(new CliErrors());
        return cli.execute(args);
    }
}
