package dev.aimesh.cli;

import picocli.CommandLine.IVersionProvider;

/** The version from the jar's manifest, with the JVM it runs on. */
final class VersionProvider implements IVersionProvider {
    @Override
    public String[] getVersion() {
        String version = Main.class.getPackage().getImplementationVersion();
        return new String[] {"aimesh " + (version == null ? "(development build)" : version),
                "JVM: " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")"};
    }
}
