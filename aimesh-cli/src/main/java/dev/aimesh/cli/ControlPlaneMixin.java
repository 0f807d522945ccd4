package dev.aimesh.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * {@code --control-plane URL} and {@code --admin-token-file FILE}: the admin address of the control plane a
 * command talks to, and the file holding the token it presents (the control plane writes it to
 * {@code <data-dir>/admin-token}, readable by its owner only).
 */
final class ControlPlaneMixin {
    static final String DEFAULT = "http://127.0.0.1:15014";

    @Option(names = "--control-plane", paramLabel = "URL",
            defaultValue = "${env:AIMESH_CONTROL_PLANE:-" + DEFAULT + "}",
            description = "Admin address of the control plane (default: ${DEFAULT-VALUE}; env AIMESH_CONTROL_PLANE).")
    String url;

    @Option(names = "--admin-token-file", paramLabel = "FILE", defaultValue = "${env:AIMESH_ADMIN_TOKEN_FILE}",
            description = "The admin API's token: <data-dir>/admin-token of the control plane (env AIMESH_ADMIN_TOKEN_FILE).")
    Path tokenFile;

    AdminClient client() {
        return new AdminClient(url, tokenFile);
    }
}
