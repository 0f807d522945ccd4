package dev.aimesh.controlplane;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * {@code <data-dir>/endpoints.json}: the addresses every listener actually bound (ports may be 0 in
 * the options), so scripts and the CLI can find them. Other components add their own entries.
 */
public final class Endpoints {
    public static final String FILE = "endpoints.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private Endpoints() {}

    /** Starts the file afresh with the control plane's listeners: entries of an earlier run are stale. */
    public static void write(Path dataDir, InetSocketAddress grpc, InetSocketAddress admin) {
        try {
            Files.deleteIfExists(dataDir.resolve(FILE));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> entries = new LinkedHashMap<>();
        entries.put("grpc", ControlPlane.hostPort(grpc));
        entries.put("admin", "http://" + ControlPlane.hostPort(admin));
        merge(dataDir, entries);
    }

    /** Adds or replaces entries, keeping the others. */
    public static synchronized void merge(Path dataDir, Map<String, String> entries) {
        Path file = dataDir.resolve(FILE);
        try {
            Files.createDirectories(dataDir);
            ObjectNode root = Files.exists(file) ? (ObjectNode) JSON.readTree(file.toFile()) : JSON.createObjectNode();
            entries.forEach(root::put);
            Path tmp = dataDir.resolve(FILE + ".tmp");
            JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), root);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot write the endpoints", e);
        }
    }
}
