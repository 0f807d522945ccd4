package dev.aimesh.identity.conformance;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Finds a folder of the shared public test suites: the {@code aimesh.testdata} system property (set by the
 * build), else the first {@code shared/testdata} found walking up from the working directory, so a git
 * worktree elsewhere finds it too.
 */
final class TestData {
    private TestData() {}

    static Optional<Path> find(String folder) {
        String property = System.getProperty("aimesh.testdata");
        if (property != null && Files.isDirectory(Path.of(property, folder))) {
            return Optional.of(Path.of(property, folder));
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("shared").resolve("testdata").resolve(folder);
            if (Files.isDirectory(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
