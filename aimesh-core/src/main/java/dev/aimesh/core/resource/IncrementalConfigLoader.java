package dev.aimesh.core.resource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import dev.aimesh.core.config.Diagnostic;

/**
 * Assembles configs as {@link ConfigLoader#assemble(List)} does, decoding again only the files whose text
 * changed since the previous call: when one policy changes in a mesh of thousands of workloads, the control
 * plane decodes that one file, not the file listing every workload. Holds the decoded files of the last call only.
 */
public final class IncrementalConfigLoader {
    private Map<ConfigLoader.SourceFile, ConfigLoader.LoadResult> decoded = Map.of();

    public synchronized MeshConfig.Assembled assemble(List<ConfigLoader.SourceFile> files) {
        Map<ConfigLoader.SourceFile, ConfigLoader.LoadResult> next = new HashMap<>();
        List<Resource> resources = new ArrayList<>();
        List<Diagnostic> problems = new ArrayList<>();
        for (ConfigLoader.SourceFile file : files) {
            ConfigLoader.LoadResult result = decoded.get(file);
            if (result == null) {
                result = ConfigLoader.load(List.of(file));
            }
            next.put(file, result);
            resources.addAll(result.resources());
            problems.addAll(result.diagnostics());
        }
        decoded = next;
        return ConfigLoader.assemble(new ConfigLoader.LoadResult(resources, problems));
    }
}
