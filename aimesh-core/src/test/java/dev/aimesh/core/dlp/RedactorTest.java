package dev.aimesh.core.dlp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RedactorTest {
    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static Redactor.Outcome apply(Map<Detector, DlpAction> actions, String body) {
        byte[] b = bytes(body);
        return new Redactor(actions).apply(b, 0, b.length);
    }

    @Test
    void aBodyWithNothingToActOnIsClean() {
        assertThat(apply(Map.of(Detector.EMAIL, DlpAction.REDACT), "{\"messages\":[{\"content\":\"hello\"}]}"))
                .isInstanceOf(Redactor.Outcome.Clean.class);
    }

    @Test
    void redactsByPlaceholderAndMasksAllButTheLastFourKeepingTheJsonValid() {
        Redactor.Outcome outcome = apply(Map.of(Detector.EMAIL, DlpAction.REDACT, Detector.PAYMENT_CARD, DlpAction.MASK),
                "{\"content\":\"mail ana@example.com, card 4111 1111 1111 1111.\"}");
        assertThat(outcome).isInstanceOf(Redactor.Outcome.Redacted.class);
        assertThat(new String(((Redactor.Outcome.Redacted) outcome).body(), StandardCharsets.UTF_8))
                .isEqualTo("{\"content\":\"mail [EMAIL], card **** **** **** 1111.\"}");
        assertThat(outcome.findings()).extracting(Redactor.Finding::detector).containsExactly(Detector.EMAIL, Detector.PAYMENT_CARD);
    }

    @Test
    void oneFindingToBlockDecidesForTheWholeBody() {
        Redactor.Outcome outcome = apply(Map.of(Detector.EMAIL, DlpAction.REDACT, Detector.PAYMENT_CARD, DlpAction.BLOCK),
                "ana@example.com paid with 5555555555554444");
        assertThat(outcome).isInstanceOf(Redactor.Outcome.Blocked.class);
        assertThat(((Redactor.Outcome.Blocked) outcome).first().detector()).isEqualTo(Detector.PAYMENT_CARD);
        assertThat(outcome.findings()).hasSize(2);
    }

    @Test
    void auditedFindingsLeaveTheBodyAsItCame() {
        Redactor.Outcome outcome = apply(Map.of(Detector.IPV4, DlpAction.AUDIT), "from 10.1.2.3");
        assertThat(outcome).isEqualTo(new Redactor.Outcome.Audited(java.util.List.of(
                new Redactor.Finding(Detector.IPV4, 5, 13, DlpAction.AUDIT))));
    }

    @Test
    void detectorsThePolicyDoesNotNameAreNotLookedFor() {
        assertThat(apply(Map.of(Detector.EMAIL, DlpAction.BLOCK), "card 4111111111111111")).isInstanceOf(Redactor.Outcome.Clean.class);
    }

    @Test
    void masksLettersAndDigitsOnly() {
        assertThat(new String(Redactor.masked(bytes("+44 20 7946 0958"), 0, 16), StandardCharsets.US_ASCII)).isEqualTo("+** ** **** 0958");
        assertThat(new String(Redactor.masked(bytes("abc"), 0, 3), StandardCharsets.US_ASCII)).isEqualTo("abc");
    }

    @Test
    void aPolicyWithNoDetectorsFindsNothing() {
        assertThat(apply(Map.of(), "ana@example.com 4111111111111111")).isInstanceOf(Redactor.Outcome.Clean.class);
    }
}
