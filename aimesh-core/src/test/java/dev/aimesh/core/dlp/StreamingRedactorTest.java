package dev.aimesh.core.dlp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StreamingRedactorTest {
    private final List<String> releases = new ArrayList<>();
    private final List<Redactor.Finding> findings = new ArrayList<>();
    private Redactor.Finding blocked;

    private String stream(Map<Detector, DlpAction> actions, String... pieces) {
        StreamingRedactor stream = new StreamingRedactor(new Redactor(actions));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String piece : pieces) {
            byte[] b = piece.getBytes(StandardCharsets.UTF_8);
            take(stream.feed(b, 0, b.length), out);
        }
        take(stream.finish(), out);
        return out.toString(StandardCharsets.UTF_8);
    }

    private void take(StreamingRedactor.Release release, ByteArrayOutputStream out) {
        releases.add(new String(release.bytes(), StandardCharsets.UTF_8));
        out.writeBytes(release.bytes());
        findings.addAll(release.findings());
        release.blocked().ifPresent(f -> blocked = f);
    }

    @Test
    void aCardSplitAcrossPiecesIsMaskedAndTheProseBeforeItGoesOnAtOnce() {
        String out = stream(Map.of(Detector.PAYMENT_CARD, DlpAction.MASK), "Hello there, my card is 4111 1111", " 1111 1111 thanks");
        assertThat(out).isEqualTo("Hello there, my card is **** **** **** 1111 thanks");
        assertThat(releases.get(0)).isEqualTo("Hello there, my card is ");
        assertThat(releases.get(1)).isEqualTo("**** **** **** 1111 ");
        assertThat(findings).containsExactly(new Redactor.Finding(Detector.PAYMENT_CARD, 24, 43, DlpAction.MASK));
    }

    @Test
    void anEmailSplitInTheMiddleIsRedactedWhole() {
        assertThat(stream(Map.of(Detector.EMAIL, DlpAction.REDACT), "write to ana@exa", "mple.com today")).isEqualTo("write to [EMAIL] today");
        assertThat(releases.get(0)).isEqualTo("write to ");
    }

    @Test
    void aBlockedValueStopsTheStreamAfterWhatCameBeforeIt() {
        String out = stream(Map.of(Detector.PAYMENT_CARD, DlpAction.BLOCK), "number 41111111", "11111111 and more", "even more");
        assertThat(out).isEqualTo("number ");
        assertThat(blocked.detector()).isEqualTo(Detector.PAYMENT_CARD);
        assertThat(blocked.start()).isEqualTo(7);
    }

    @Test
    void aSecretWhoseNameAndValueComeInTwoPiecesIsFound() {
        assertThat(stream(Map.of(Detector.GENERIC_SECRET, DlpAction.REDACT), "{\"api_key\": \"", "Zx81kQp0vLm3TgB7wq9R\"}"))
                .isEqualTo("{\"api_key\": \"[GENERIC-SECRET]\"}");
    }

    @Test
    void aPrivateKeyBlockIsHeldToItsEnd() {
        String out = stream(Map.of(Detector.PRIVATE_KEY, DlpAction.REDACT), "key:\n-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE",
                "IBkVb0pnQ8wZ3dh\n", "-----END EC PRIVATE KEY-----\nok");
        assertThat(out).isEqualTo("key:\n[PRIVATE-KEY]\nok");
        assertThat(releases.get(1)).isEmpty();
    }

    @Test
    void aCleanStreamPassesUnchangedAndHoldsAtMostTheLongestCandidate() {
        String digits = "1".repeat(600);
        assertThat(stream(Map.of(Detector.PAYMENT_CARD, DlpAction.BLOCK), "plain text, nothing here ", digits, " end"))
                .isEqualTo("plain text, nothing here " + digits + " end");
        assertThat(releases.get(1).length()).isGreaterThanOrEqualTo(25 + 600 - ContentScanner.MAX_TOKEN - 25);
        assertThat(blocked).isNull();
    }
}
