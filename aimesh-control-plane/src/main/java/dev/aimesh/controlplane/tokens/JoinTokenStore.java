package dev.aimesh.controlplane.tokens;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import dev.aimesh.core.identity.JoinToken;

/**
 * Single-use, expiring join tokens, each bound to one workload. Only a hash of each secret is kept (in
 * {@code tokens.jsonl}, owner-only), so a copy of the data directory cannot be used to join. A token
 * is checked with {@link #check} and spent with {@link #spend} once its SVID is issued, so a request
 * refused for another reason (a bad CSR) does not burn it.
 *
 * <p>The file is a journal: each change appends the token's new state as one JSON line (the last line of
 * a token wins), so creating thousands of tokens costs thousands of short writes, not thousands of
 * rewrites of everything. A spend is on disk before it returns (a token must never join twice, also
 * across a crash); a creation need not be (a token lost in a crash is merely unknown). The journal is
 * rewritten with the live tokens alone on open and whenever it has grown to twice their number.
 */
public final class JoinTokenStore implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(JoinTokenStore.class);
    public static final Duration MAX_TTL = Duration.ofDays(1);
    private static final Duration KEEP_SPENT = Duration.ofDays(1);
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    record Entry(String id, String secretSha256, String workload, Instant expiresAt, Instant usedAt) {}

    private static final int MIN_COMPACTION_LINES = 1024;

    private final Path file;
    private final InstantSource clock;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Entry> entries = new LinkedHashMap<>();
    private FileChannel journal;
    private int journalLines;

    public JoinTokenStore(Path file, InstantSource clock) {
        this.file = file;
        this.clock = clock;
        if (Files.exists(file)) {
            List<String> lines;
            try {
                lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(file + ": cannot read the join tokens (" + e.getMessage() + ")", e);
            }
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).isBlank()) {
                    continue;
                }
                try {
                    Entry e = JSON.readValue(lines.get(i), Entry.class);
                    entries.put(e.id(), e);
                } catch (IOException e) {
                    if (i < lines.size() - 1) {
                        throw new UncheckedIOException(file + ":" + (i + 1) + ": not a join token entry (" + e.getMessage() + ")", e);
                    }
                    // Only the last line can be cut short (a crash while appending): that token is merely unknown.
                    log.warn("{}:{}: ignoring a partly written last line", file, i + 1);
                }
            }
        }
        compact();
    }

    /** A new token for {@code workload} ({@code namespace/name}), valid for {@code ttl}. */
    public synchronized JoinToken create(String workload, Duration ttl, List<String> rootPins) {
        if (ttl.isNegative() || ttl.isZero() || ttl.compareTo(MAX_TTL) > 0) {
            throw new IllegalArgumentException("ttl: " + ttl.toSeconds() + "s (expected: more than 0 and at most 24h)");
        }
        JoinToken token = new JoinToken(randomPart(9), randomPart(24), rootPins);
        append(new Entry(token.id(), hash(token.secret()), workload, clock.instant().plus(ttl), null), false);
        return token;
    }

    public synchronized Instant expiresAt(String id) {
        return entries.get(id).expiresAt();
    }

    /** Whether the token may be used now, without spending it. */
    public synchronized Redemption check(String text) {
        JoinToken token;
        try {
            token = JoinToken.parse(text);
        } catch (IllegalArgumentException e) {
            return new Redemption.Refused(Redemption.Reason.MALFORMED, e.getMessage());
        }
        Entry entry = entries.get(token.id());
        // A wrong secret reads as an unknown token: nothing tells a guesser which half was wrong.
        if (entry == null || !MessageDigest.isEqual(entry.secretSha256().getBytes(StandardCharsets.US_ASCII),
                hash(token.secret()).getBytes(StandardCharsets.US_ASCII))) {
            return new Redemption.Refused(Redemption.Reason.UNKNOWN, "unknown join token " + token.id());
        }
        if (entry.usedAt() != null) {
            return new Redemption.Refused(Redemption.Reason.ALREADY_USED, "join token " + token.id()
                    + " was already used at " + entry.usedAt() + "; tokens are single-use, create a new one");
        }
        if (!clock.instant().isBefore(entry.expiresAt())) {
            return new Redemption.Refused(Redemption.Reason.EXPIRED, "join token " + token.id() + " expired at "
                    + entry.expiresAt());
        }
        return new Redemption.Granted(token.id(), entry.workload());
    }

    /** Spends a token that {@link #check} granted; false when someone spent it in between. */
    public synchronized boolean spend(String id) {
        Entry entry = entries.get(id);
        if (entry == null || entry.usedAt() != null) {
            return false;
        }
        append(new Entry(id, entry.secretSha256(), entry.workload(), entry.expiresAt(), clock.instant()), true);
        return true;
    }

    private void append(Entry entry, boolean durable) {
        entries.put(entry.id(), entry);
        if (++journalLines > Math.max(MIN_COMPACTION_LINES, 2 * entries.size())) {
            compact(); // writes every entry, this one included, and forces it to disk
            return;
        }
        try {
            journal.write(StandardCharsets.UTF_8.encode(JSON.writeValueAsString(entry) + "\n"));
            if (durable) {
                journal.force(false);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot save the join tokens", e);
        }
    }

    /** Rewrites the journal with one line per token still worth knowing, and forgets the rest. */
    private void compact() {
        Instant forgetBefore = clock.instant().minus(KEEP_SPENT);
        entries.values().removeIf(e -> e.expiresAt().isBefore(forgetBefore));
        try {
            if (journal != null) {
                journal.close();
            }
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.deleteIfExists(tmp);
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            StringBuilder lines = new StringBuilder();
            for (Entry e : entries.values()) {
                lines.append(JSON.writeValueAsString(e)).append('\n');
            }
            try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                out.write(StandardCharsets.UTF_8.encode(lines.toString()));
                out.force(false);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            journal = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
            journalLines = entries.size();
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot save the join tokens", e);
        }
    }

    /** Closes the journal; everything spent is already on disk. */
    public synchronized void close() {
        try {
            journal.close();
        } catch (IOException e) {
            log.debug("closing {} failed", file, e);
        }
    }

    private String randomPart(int bytes) {
        byte[] b = new byte[bytes];
        random.nextBytes(b);
        return B64.encodeToString(b);
    }

    private static String hash(String secret) {
        try {
            return B64.encodeToString(MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
