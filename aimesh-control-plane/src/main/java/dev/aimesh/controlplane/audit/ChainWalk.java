package dev.aimesh.controlplane.audit;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Walks the lines of a hash-chained audit log in order and finds where the chain breaks. A valid
 * {@code audit.recovered} entry starts a new segment: the break before it was found and recorded by a
 * control plane started with {@code --audit-recover}, so it is reported as recorded rather than open.
 * Pure: the caller reads the file.
 */
final class ChainWalk {
    static final String RECOVERED = "audit.recovered";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Where the chain breaks (1-based line) and what was found there. */
    record Break(long line, String found) {}

    private String previous;
    private long line;
    private Optional<Break> open = Optional.empty();
    private final List<Break> recorded = new ArrayList<>();
    private long maxSeq;
    private String lastGoodHash;
    private long lastGoodSeq;

    /**
     * @param linesBefore lines of the file before the first one fed (0 from the start)
     * @param previous the hash the first fed line must follow ({@code GENESIS} at the start), null when unknown
     */
    ChainWalk(long linesBefore, String previous) {
        this.line = linesBefore;
        this.previous = previous;
        this.lastGoodHash = previous;
    }

    void accept(String text) {
        line++;
        ObjectNode entry;
        String recordedHash;
        String prev;
        try {
            entry = (ObjectNode) JSON.readTree(text);
            recordedHash = entry.remove("hash").asText();
            prev = entry.get("prev").asText();
            maxSeq = Math.max(maxSeq, entry.path("seq").asLong());
        } catch (Exception e) {
            breakHere("the line is not a complete entry (a write cut short, or an edit)");
            previous = null;
            return;
        }
        boolean selfConsistent = HashChainedAuditLog.hash(prev, entry.toString()).equals(recordedHash);
        if (!selfConsistent) {
            breakHere("its hash does not match its content (the entry was edited)");
        } else if (RECOVERED.equals(entry.path("type").asText())) {
            open.ifPresent(recorded::add);
            open = Optional.empty();
            good(entry, recordedHash);
        } else if (previous != null && !prev.equals(previous)) {
            breakHere("it does not follow the line before (an entry removed or inserted, or a second writer)");
        } else if (open.isEmpty()) {
            good(entry, recordedHash);
        }
        previous = recordedHash;
    }

    private void good(JsonNode entry, String hash) {
        lastGoodHash = hash;
        lastGoodSeq = entry.path("seq").asLong();
    }

    private void breakHere(String found) {
        if (open.isEmpty()) {
            open = Optional.of(new Break(line, found));
        }
    }

    /** A last line without its newline: the write of the final entry was cut short. */
    void endsWithoutNewline() {
        if (line > 0) {
            if (open.isEmpty() || open.get().line() != line) {
                breakHere("the last line has no end (a write cut short)");
            }
        }
    }

    /** The first break no {@code audit.recovered} entry follows. */
    Optional<Break> open() {
        return open;
    }

    /** Breaks an {@code audit.recovered} entry follows. */
    List<Break> recorded() {
        return List.copyOf(recorded);
    }

    long lines() {
        return line;
    }

    long maxSeq() {
        return maxSeq;
    }

    /** The hash of the last entry that chains before any open break (what the next entry must follow). */
    String lastGoodHash() {
        return lastGoodHash;
    }

    long lastGoodSeq() {
        return lastGoodSeq;
    }

    /** The hash the next line must follow when there is no open break. */
    String previous() {
        return previous;
    }
}
