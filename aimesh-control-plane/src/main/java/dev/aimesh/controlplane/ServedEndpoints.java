package dev.aimesh.controlplane;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code <data-dir>/proxy-endpoints.json}: the inbound addresses the control plane last served, by workload,
 * so that after a restart it can keep serving a workload whose proxy has not rejoined yet (see
 * {@link dev.aimesh.core.registry.RestartGrace}). Written whole and atomically, readable by its owner only: it
 * maps the mesh.
 */
final class ServedEndpoints {
    static final String FILE = "proxy-endpoints.json";
    private static final Logger log = LoggerFactory.getLogger(ServedEndpoints.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<TreeMap<String, List<String>>> TYPE = new TypeReference<>() {};

    private ServedEndpoints() {}

    /** What was served before; nothing when there is no file or it cannot be read (it is only a memory). */
    static Map<String, List<String>> read(Path dataDir) {
        Path file = dataDir.resolve(FILE);
        try {
            return JSON.readValue(Files.readAllBytes(file), TYPE);
        } catch (NoSuchFileException e) {
            return Map.of();
        } catch (IOException | RuntimeException e) {
            log.warn("{}: cannot read the endpoints served before the restart ({}); serving connected proxies only", file,
                    e.getMessage());
            return Map.of();
        }
    }

    static void write(Path dataDir, Map<String, List<String>> endpoints) {
        Path file = dataDir.resolve(FILE);
        Path tmp = dataDir.resolve("." + FILE + ".tmp");
        try {
            Files.deleteIfExists(tmp);
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.write(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(new TreeMap<>(endpoints)));
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot write the served endpoints", e);
        }
    }
}
