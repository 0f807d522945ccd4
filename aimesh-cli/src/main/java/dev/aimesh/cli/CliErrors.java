package dev.aimesh.cli;

import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/** How every command reports a failure: one line on stderr and its exit code; a stack trace only with AIMESH_LOG=debug. */
final class CliErrors implements IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception e, CommandLine commandLine, ParseResult parseResult) {
        if (e instanceof CliException c) {
            commandLine.getErr().println("aimesh: " + c.getMessage());
            return c.exitCode();
        }
        commandLine.getErr().println("aimesh: unexpected error: " + e);
        if ("debug".equalsIgnoreCase(System.getenv("AIMESH_LOG"))) {
            e.printStackTrace(commandLine.getErr());
        }
        return ExitCodes.FAILED;
    }

    /** The level of the logback configuration: AIMESH_LOG when set, else {@code chattyDefault} or WARN. */
    static void logLevel(boolean chatty) {
        String level = System.getenv("AIMESH_LOG");
        if (level == null) {
            level = chatty ? "INFO" : "WARN";
        }
        System.setProperty("aimesh.log.level", level.toUpperCase(java.util.Locale.ROOT));
    }
}
