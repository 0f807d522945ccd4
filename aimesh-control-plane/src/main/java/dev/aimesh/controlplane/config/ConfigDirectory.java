package dev.aimesh.controlplane.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import dev.aimesh.core.config.Diagnostic;
import dev.aimesh.core.config.Position;
import dev.aimesh.core.resource.ConfigLoader;
import dev.aimesh.core.resource.MeshConfig;

/**
 * The YAML files of a config directory (recursively; {@code .yaml} and {@code .yml}; hidden files and
 * folders skipped), read into a {@link MeshConfig}. Messages name files relative to the directory.
 */
public final class ConfigDirectory {
    private static final long MAX_FILE_BYTES = 4L * 1024 * 1024;

    private final Path root;

    public ConfigDirectory(Path root) {
        this.root = root;
    }

    public Path root() {
        return root;
    }

    /** The config assembled from every document that decoded cleanly, and every problem found. */
    public record Reading(MeshConfig config, List<ConfigLoader.SourceFile> sources, List<Diagnostic> problems,
            String fingerprint) {
        public boolean ok() {
            return problems.isEmpty();
        }
    }

    public Reading read() {
        if (!Files.isDirectory(root)) {
            throw new UncheckedIOException(new IOException(root + ": not a directory"));
        }
        List<ConfigLoader.SourceFile> sources = new ArrayList<>();
        List<Diagnostic> problems = new ArrayList<>();
        StringBuilder fingerprint = new StringBuilder();
        for (Path file : yamlFiles()) {
            String name = root.relativize(file).toString();
            try {
                if (Files.size(file) > MAX_FILE_BYTES) {
                    problems.add(new Diagnostic(Position.unknown(name), "", "file is larger than 4 MiB"));
                    continue;
                }
                String text = Files.readString(file, StandardCharsets.UTF_8);
                sources.add(new ConfigLoader.SourceFile(name, text));
                fingerprint.append(name).append('\0').append(text.hashCode()).append('\0');
            } catch (MalformedInputException e) {
                problems.add(new Diagnostic(Position.unknown(name), "", "file is not UTF-8 text"));
            } catch (IOException e) {
                problems.add(new Diagnostic(Position.unknown(name), "", "cannot read: " + e.getMessage()));
            }
        }
        MeshConfig.Assembled assembled = ConfigLoader.assemble(sources);
        problems.addAll(assembled.problems());
        return new Reading(assembled.config(), sources, problems, Integer.toHexString(fingerprint.toString().hashCode()));
    }

    private List<Path> yamlFiles() {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile)
                    .filter(p -> !isHidden(root.relativize(p)))
                    .filter(p -> p.getFileName().toString().endsWith(".yaml") || p.getFileName().toString().endsWith(".yml"))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(root + ": cannot list the config directory", e);
        }
    }

    private static boolean isHidden(Path relative) {
        for (Path part : relative) {
            if (part.toString().startsWith(".")) {
                return true;
            }
        }
        return false;
    }
}
