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
import java.nio.ByteBuffer;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.time.InstantSource;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A JSON-lines audit log in which each entry carries the hash of the one before it
 * ({@code hash = SHA-256(prev + entry-without-hash)}), so removing or editing a line breaks the chain
 * at that line. {@link #verify} finds the first broken line.
 *
 * <p>One writer only: the file is locked while open, and a second writer (another process, or a second
 * log on the same file) is refused. On open the chain's tail (its last {@link #TAIL_BYTES}) is verified;
 * a broken tail is refused unless {@link OnBrokenChain#RECOVER} is asked for, which appends an
 * {@code audit.recovered} entry saying what was found where, and starts a new segment from it.
 */
public final class HashChainedAuditLog implements AuditLog {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String GENESIS = "0".repeat(64);
    /** How much of the end of the log is verified on open: a few thousand entries, read in milliseconds. */
    static final int TAIL_BYTES = 4 * 1024 * 1024;

    /** What to do when the tail of the chain is found broken on open. */
    public enum OnBrokenChain {
        /** Refuse to open ({@link BrokenAuditChainException}): appending would bury the break. */
        REFUSE,
        /** Record the break as an {@code audit.recovered} entry and continue with a new chain segment. */
        RECOVER
    }

    private final Path file;
    private final FileChannel channel;
    private long sequence;
    private String previousHash;

    public HashChainedAuditLog(Path file) {
        this(file, OnBrokenChain.REFUSE, InstantSource.system());
    }

    public HashChainedAuditLog(Path file, OnBrokenChain onBroken, InstantSource clock) {
        this.file = file;
        FileChannel opened = null;
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            opened = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
            lock(opened);
            this.channel = opened;
            ChainWalk tail = tail(file);
            if (tail.open().isPresent()) {
                ChainWalk.Break found = tail.open().get();
                if (onBroken == OnBrokenChain.REFUSE) {
                    throw new BrokenAuditChainException(file, found.line(), found.found());
                }
                this.sequence = tail.maxSeq();
                this.previousHash = tail.lastGoodHash() == null ? GENESIS : tail.lastGoodHash();
                if (!endsWithNewline(file)) {
                    write("\n"); // the cut-short line stays as found, on a line of its own
                }
                recordAll(List.of(new AuditEvent(clock.instant(), ChainWalk.RECOVERED, AuditEvent.Outcome.INFO, Map.of(
                        "broken_line", Long.toString(found.line()),
                        "found", found.found(),
                        "lines_after_break", Long.toString(tail.lines() - found.line()),
                        "resumes_after_seq", Long.toString(tail.lastGoodSeq())))));
            } else {
                this.sequence = tail.maxSeq();
                this.previousHash = tail.lines() == 0 ? GENESIS : tail.previous();
            }
        } catch (IOException e) {
            closeQuietly(opened);
            throw new UncheckedIOException(file + ": cannot open the audit log", e);
        } catch (RuntimeException e) {
            closeQuietly(opened);
            throw e;
        }
    }

    private void lock(FileChannel opened) throws IOException {
        FileLock lock;
        try {
            lock = opened.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            throw new IllegalStateException(file + ": another control plane is writing this audit log; one log has one writer");
        }
        // released when the channel closes
    }

    /** Verifies the last {@link #TAIL_BYTES} of the log: the whole log when it is smaller. */
    private static ChainWalk tail(Path file) throws IOException {
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = in.size();
            long from = Math.max(0, size - TAIL_BYTES);
            long linesBefore = 0;
            if (from > 0) {
                // count the lines before the window (for the line number of a break), then skip the cut line
                linesBefore = countNewlines(in, from);
                ByteBuffer one = ByteBuffer.allocate(1);
                while (from < size) {
                    one.clear();
                    in.read(one, from++);
                    if (one.get(0) == '\n') {
                        linesBefore++; // the skipped line
                        break;
                    }
                }
            }
            ByteBuffer window = ByteBuffer.allocate((int) (size - from));
            while (window.hasRemaining() && in.read(window, from + window.position()) >= 0) {
                // read it all
            }
            String text = new String(window.array(), 0, window.position(), StandardCharsets.UTF_8);
            ChainWalk walk = new ChainWalk(linesBefore, from == 0 ? GENESIS : null);
            feed(walk, text);
            return walk;
        }
    }

    private static void feed(ChainWalk walk, String text) {
        int start = 0;
        while (start < text.length()) {
            int end = text.indexOf('\n', start);
            if (end < 0) {
                walk.accept(text.substring(start));
                walk.endsWithoutNewline();
                return;
            }
            walk.accept(text.substring(start, end));
            start = end + 1;
        }
    }

    private static long countNewlines(FileChannel in, long until) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        long count = 0;
        for (long position = 0; position < until; ) {
            buffer.clear();
            buffer.limit((int) Math.min(buffer.capacity(), until - position));
            int read = in.read(buffer, position);
            if (read < 0) {
                break;
            }
            for (int i = 0; i < read; i++) {
                if (buffer.get(i) == '\n') {
                    count++;
                }
            }
            position += read;
        }
        return count;
    }

    private static boolean endsWithNewline(Path file) throws IOException {
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            if (in.size() == 0) {
                return true;
            }
            ByteBuffer last = ByteBuffer.allocate(1);
            in.read(last, in.size() - 1);
            return last.get(0) == '\n';
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // already failing with the error that matters
            }
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
        write(lines.toString());
        sequence = seq;
        previousHash = previous;
    }

    private void write(String text) {
        try {
            var bytes = StandardCharsets.UTF_8.encode(text);
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
            channel.force(false);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot write the audit log", e);
        }
    }

    /** What a whole-log check found: the first break nothing recorded, and the breaks recorded as recovered. */
    public record Verification(long entries, Optional<Long> brokenAt, Optional<String> found, List<Long> recoveredBreaks) {}

    /** The 1-based number of the first line whose chain is broken (and not recorded as recovered), or empty. */
    public static Optional<Long> verify(Path file) throws IOException {
        return verifyAll(file).brokenAt();
    }

    /** Walks the whole log. */
    public static Verification verifyAll(Path file) throws IOException {
        ChainWalk walk = new ChainWalk(0, GENESIS);
        feed(walk, Files.readString(file));
        return new Verification(walk.lines(), walk.open().map(ChainWalk.Break::line), walk.open().map(ChainWalk.Break::found),
                walk.recorded().stream().map(ChainWalk.Break::line).toList());
    }

    static String hash(String previous, String entry) {
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
