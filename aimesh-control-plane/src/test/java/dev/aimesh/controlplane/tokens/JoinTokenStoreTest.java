package dev.aimesh.controlplane.tokens;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import dev.aimesh.core.identity.JoinToken;

class JoinTokenStoreTest {
    private static final List<String> PINS = List.of("pin0000000000");
    @TempDir
    Path dir;
    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-11-22T10:00:00Z"));
    private final InstantSource clock = now::get;

    private JoinTokenStore store() {
        return new JoinTokenStore(dir.resolve("tokens.jsonl"), clock);
    }

    @Test
    void aTokenIsGrantedUntilSpentThenRefusedAsUsed() {
        JoinTokenStore store = store();
        JoinToken token = store.create("models/llm", Duration.ofMinutes(10), PINS);
        assertThat(store.check(token.toString())).isEqualTo(new Redemption.Granted(token.id(), "models/llm"));
        assertThat(store.check(token.toString())).isInstanceOf(Redemption.Granted.class); // checking does not spend
        assertThat(store.spend(token.id())).isTrue();
        assertThat(store.spend(token.id())).isFalse();
        assertThat(store.check(token.toString())).isInstanceOfSatisfying(Redemption.Refused.class,
                r -> assertThat(r.reason()).isEqualTo(Redemption.Reason.ALREADY_USED));
    }

    @Test
    void expiredWrongSecretUnknownAndMalformedAreRefused() {
        JoinTokenStore store = store();
        JoinToken token = store.create("apps/chat", Duration.ofMinutes(1), PINS);
        JoinToken wrongSecret = new JoinToken(token.id(), "x".repeat(32), PINS);
        assertThat(store.check(wrongSecret.toString())).isEqualTo(
                new Redemption.Refused(Redemption.Reason.UNKNOWN, "unknown join token " + token.id()));
        assertThat(store.check("jt1.garbage")).isInstanceOfSatisfying(Redemption.Refused.class,
                r -> assertThat(r.reason()).isEqualTo(Redemption.Reason.MALFORMED));
        now.set(now.get().plus(Duration.ofMinutes(1)));
        assertThat(store.check(token.toString())).isInstanceOfSatisfying(Redemption.Refused.class,
                r -> assertThat(r.reason()).isEqualTo(Redemption.Reason.EXPIRED));
    }

    @Test
    void survivesARestartKeepingOnlyHashesOwnerOnly() throws Exception {
        JoinToken token = store().create("models/llm", Duration.ofMinutes(10), PINS);
        Path file = dir.resolve("tokens.jsonl");
        assertThat(Files.readString(file)).doesNotContain(token.secret()).contains(token.id());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        JoinTokenStore reopened = store();
        assertThat(reopened.check(token.toString())).isInstanceOf(Redemption.Granted.class);
        reopened.spend(token.id());
        assertThat(store().check(token.toString())).isInstanceOfSatisfying(Redemption.Refused.class,
                r -> assertThat(r.reason()).isEqualTo(Redemption.Reason.ALREADY_USED));
    }

    @Test
    void thousandsOfTokensAreAppendedAndTheJournalIsCompactedToTheLiveOnes() throws Exception {
        JoinTokenStore store = store();
        Path file = dir.resolve("tokens.jsonl");
        JoinToken first = store.create("models/llm", Duration.ofMinutes(10), PINS);
        store.spend(first.id());
        for (int i = 0; i < 3000; i++) {
            store.create("apps/app-" + i, Duration.ofMinutes(10), PINS);
        }
        // Two lines for the first token, one for each other: compaction keeps the journal under twice the tokens.
        assertThat(Files.readAllLines(file)).hasSizeLessThanOrEqualTo(2 * 3001);
        store.close();

        JoinTokenStore reopened = store();
        assertThat(Files.readAllLines(file)).hasSize(3001);
        assertThat(reopened.check(first.toString())).isInstanceOfSatisfying(Redemption.Refused.class,
                r -> assertThat(r.reason()).isEqualTo(Redemption.Reason.ALREADY_USED));
    }

    @Test
    void aLastLineCutShortByACrashIsIgnoredAndAnyOtherBrokenLineRefused() throws Exception {
        JoinTokenStore store = store();
        JoinToken spent = store.create("models/llm", Duration.ofMinutes(10), PINS);
        store.spend(spent.id());
        store.close();
        Path file = dir.resolve("tokens.jsonl");
        Files.writeString(file, "{\"id\":\"cut", java.nio.file.StandardOpenOption.APPEND);

        assertThat(store().check(spent.toString())).isInstanceOfSatisfying(Redemption.Refused.class,
                r -> assertThat(r.reason()).isEqualTo(Redemption.Reason.ALREADY_USED));

        Files.writeString(file, "garbage\n" + Files.readString(file));
        assertThatThrownBy(this::store).hasMessageContaining("tokens.jsonl:1: not a join token entry");
    }

    @Test
    void limitsTheTtl() {
        assertThatThrownBy(() -> store().create("a/b", Duration.ofHours(25), PINS)).hasMessageContaining("at most 24h");
        assertThatThrownBy(() -> store().create("a/b", Duration.ZERO, PINS)).hasMessageContaining("more than 0");
    }
}
