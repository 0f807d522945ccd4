package dev.aimesh.controlplane.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import dev.aimesh.core.config.Diagnostic;
import dev.aimesh.core.config.Position;
import dev.aimesh.core.resource.ConfigLoader;
import dev.aimesh.core.resource.IncrementalConfigLoader;
import dev.aimesh.core.resource.MeshConfig;

/**
 * The YAML files of a config directory (recursively; {@code .yaml} and {@code .yml}; hidden files and
 * folders skipped), read into a {@link MeshConfig}. Messages name files relative to the directory. One
 * instance remembers what it decoded, so that reading the directory again decodes only the files that changed.
 */
public final class ConfigDirectory {
    private static final long MAX_FILE_BYTES = 4L * 1024 * 1024;

    private final Path root;
    private final IncrementalConfigLoader loader = new IncrementalConfigLoader();

    public ConfigDirectory(Path root) {
        this.root = root;
    }

    public Path root() {
        return root;
    }

    /** The files as read, the problems reading them, and a fingerprint of both (equal exactly when nothing changed). */
    public record Scan(List<ConfigLoader.SourceFile> sources, List<Diagnostic> problems, String fingerprint) {}

    /** The config assembled from every document that decoded cleanly, and every problem found. */
    public record Reading(MeshConfig config, List<ConfigLoader.SourceFile> sources, List<Diagnostic> problems,
            String fingerprint) {
        public boolean ok() {
            return problems.isEmpty();
        }
    }

    public Reading read() {
        return assemble(scan());
    }

    /** Reads the files without decoding them: what a watcher needs to tell whether anything changed. */
    public Scan scan() {
        if (!Files.isDirectory(root)) {
            throw new UncheckedIOException(new IOException(root + ": not a directory"));
        }
        List<ConfigLoader.SourceFile> sources = new ArrayList<>();
        List<Diagnostic> problems = new ArrayList<>();
        MessageDigest fingerprint = sha256();
        for (Path file : yamlFiles()) {
            String name = root.relativize(file).toString();
            try {
                if (Files.size(file) > MAX_FILE_BYTES) {
                    problems.add(new Diagnostic(Position.unknown(name), "", "file is larger than 4 MiB"));
                    continue;
                }
                String text = Files.readString(file, StandardCharsets.UTF_8);
                sources.add(new ConfigLoader.SourceFile(name, text));
            } catch (MalformedInputException e) {
                problems.add(new Diagnostic(Position.unknown(name), "", "file is not UTF-8 text"));
            } catch (IOException e) {
                problems.add(new Diagnostic(Position.unknown(name), "", "cannot read: " + e.getMessage()));
            }
        }
        for (ConfigLoader.SourceFile source : sources) {
            fingerprint.update((source.name() + '\0' + source.text().length() + '\0' + source.text()).getBytes(StandardCharsets.UTF_8));
        }
        problems.forEach(p -> fingerprint.update(p.toString().getBytes(StandardCharsets.UTF_8)));
        return new Scan(List.copyOf(sources), List.copyOf(problems), HexFormat.of().formatHex(fingerprint.digest()));
    }

    /** The config the scanned files make; files decoded by an earlier call of this directory are not decoded again. */
    public Reading assemble(Scan scan) {
        MeshConfig.Assembled assembled = loader.assemble(scan.sources());
        List<Diagnostic> problems = new ArrayList<>(scan.problems());
        problems.addAll(assembled.problems());
        return new Reading(assembled.config(), scan.sources(), List.copyOf(problems), scan.fingerprint());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
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

    /** The folders whose files count: the root and every folder below it that is not hidden. */
    public List<Path> folders() {
        try (Stream<Path> paths = Files.walk(root)) {
            return paths.filter(Files::isDirectory).filter(p -> !isHidden(root.relativize(p))).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(root + ": cannot list the config directory", e);
        }
    }

    static boolean isHidden(Path relative) {
        for (Path part : relative) {
            if (part.toString().startsWith(".")) {
                return true;
            }
        }
        return false;
    }
}
