package dev.aimesh.cli;

import picocli.CommandLine.Option;

/** {@code --control-plane URL}: the admin address of the control plane a command talks to. */
final class ControlPlaneMixin {
    static final String DEFAULT = "http://127.0.0.1:15014";

    @Option(names = "--control-plane", paramLabel = "URL",
            defaultValue = "${env:AIMESH_CONTROL_PLANE:-" + DEFAULT + "}",
            description = "Admin address of the control plane (default: ${DEFAULT-VALUE}; env AIMESH_CONTROL_PLANE).")
    String url;

    AdminClient client() {
        return new AdminClient(url);
    }
}
