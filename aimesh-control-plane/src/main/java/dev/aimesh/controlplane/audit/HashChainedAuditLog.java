package dev.aimesh.controlplane.audit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A JSON-lines audit log in which each entry carries the hash of the one before it
 * ({@code hash = SHA-256(prev + entry-without-hash)}), so removing or editing a line breaks the chain
 * at that line. {@link #verify} finds the first broken line.
 */
public final class HashChainedAuditLog implements AuditLog {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String GENESIS = "0".repeat(64);

    private final Path file;
    private final FileChannel channel;
    private long sequence;
    private String previousHash;

    public HashChainedAuditLog(Path file) {
        this.file = file;
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Optional<JsonNode> last = lastEntry(file);
            this.sequence = last.map(n -> n.get("seq").asLong()).orElse(0L);
            this.previousHash = last.map(n -> n.get("hash").asText()).orElse(GENESIS);
            this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot open the audit log", e);
        }
    }

    public Path file() {
        return file;
    }

    @Override
    public void record(AuditEvent event) {
        recordAll(List.of(event));
    }

    /** Appends the events and forces them to disk once; the chain advances only when they are written. */
    @Override
    public synchronized void recordAll(List<AuditEvent> events) {
        if (events.isEmpty()) {
            return; // a flooding proxy's wholly refused batch costs no flush to disk
        }
        long seq = sequence;
        String previous = previousHash;
        StringBuilder lines = new StringBuilder();
        for (AuditEvent event : events) {
            ObjectNode entry = JSON.createObjectNode();
            entry.put("seq", ++seq);
            entry.put("time", event.time().toString());
            entry.put("type", event.type());
            entry.put("outcome", event.outcome().name().toLowerCase(java.util.Locale.ROOT));
            new TreeMap<>(event.fields()).forEach(entry::put);
            entry.put("prev", previous);
            previous = hash(previous, entry.toString());
            entry.put("hash", previous);
            lines.append(entry).append('\n');
        }
        try {
            var bytes = StandardCharsets.UTF_8.encode(lines.toString());
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
            channel.force(false);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot write the audit log", e);
        }
        sequence = seq;
        previousHash = previous;
    }

    /** The 1-based number of the first line whose chain is broken, or empty when the whole log is intact. */
    public static Optional<Long> verify(Path file) throws IOException {
        String previous = GENESIS;
        List<String> lines = Files.readAllLines(file);
        for (int i = 0; i < lines.size(); i++) {
            try {
                ObjectNode entry = (ObjectNode) JSON.readTree(lines.get(i));
                String recorded = entry.remove("hash").asText();
                if (!entry.get("prev").asText().equals(previous) || !hash(previous, entry.toString()).equals(recorded)) {
                    return Optional.of(i + 1L);
                }
                previous = recorded;
            } catch (IOException | RuntimeException e) {
                return Optional.of(i + 1L);
            }
        }
        return Optional.empty();
    }

    private static Optional<JsonNode> lastEntry(Path file) throws IOException {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        List<String> lines = Files.readAllLines(file);
        for (int i = lines.size() - 1; i >= 0; i--) {
            if (!lines.get(i).isBlank()) {
                return Optional.of(JSON.readTree(lines.get(i)));
            }
        }
        return Optional.empty();
    }

    private static String hash(String previous, String entry) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(previous.getBytes(StandardCharsets.US_ASCII));
            return HexFormat.of().formatHex(digest.digest(entry.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
