package dev.aimesh.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import com.fasterxml.jackson.databind.JsonNode;
import dev.aimesh.controlplane.config.ConfigDirectory;
import dev.aimesh.core.config.Diagnostic;
import dev.aimesh.core.resource.ConfigLoader;
import dev.aimesh.core.resource.MeshConfig;

/**
 * The config that {@code check} and {@code analyze} look at: a directory read as the control plane reads
 * it, or the files a running control plane accepted, decoded as its proxies decode them.
 */
final class MeshConfigs {
    private MeshConfigs() {}

    static MeshConfig load(Path configDir, ControlPlaneMixin controlPlane) {
        if (configDir != null) {
            ConfigDirectory.Reading reading = new ConfigDirectory(configDir).read();
            if (!reading.ok()) {
                throw invalid(reading.problems());
            }
            return reading.config();
        }
        JsonNode files = controlPlane.client().get("/v1/config/files");
        List<ConfigLoader.SourceFile> sources = new ArrayList<>();
        files.forEach(f -> sources.add(new ConfigLoader.SourceFile(f.path("name").asText(), f.path("text").asText())));
        MeshConfig.Assembled assembled = ConfigLoader.assemble(sources);
        if (!assembled.problems().isEmpty()) {
            throw invalid(assembled.problems());
        }
        return assembled.config();
    }

    private static CliException invalid(List<Diagnostic> problems) {
        return new CliException(ExitCodes.CONFIG_INVALID, "the config has " + problems.size() + " problem(s):\n  "
                + String.join("\n  ", problems.stream().map(Diagnostic::toString).toList()));
    }
}
