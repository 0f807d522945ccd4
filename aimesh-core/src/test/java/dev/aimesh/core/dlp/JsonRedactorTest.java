package dev.aimesh.core.dlp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonRedactorTest {
    private static final Map<Detector, DlpAction> EMAIL_AND_CARD = Map.of(Detector.EMAIL, DlpAction.REDACT,
            Detector.PAYMENT_CARD, DlpAction.MASK);

    private static Redactor.Outcome apply(Map<Detector, DlpAction> actions, String body) {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        return new JsonRedactor(new Redactor(actions)).apply(b, 0, b.length);
    }

    private static String redacted(Map<Detector, DlpAction> actions, String body) {
        Redactor.Outcome outcome = apply(actions, body);
        assertThat(outcome).isInstanceOf(Redactor.Outcome.Redacted.class);
        return new String(((Redactor.Outcome.Redacted) outcome).body(), StandardCharsets.UTF_8);
    }

    @Test
    void stringsAreRedactedInPlaceAndTheRestOfTheBodyIsKeptByteForByte() {
        assertThat(redacted(EMAIL_AND_CARD, "{ \"model\": \"m\",\n  \"messages\": [{\"role\": \"user\", \"content\":"
                + " \"write to ana@example.com\"}], \"max_tokens\": 12 }"))
                .isEqualTo("{ \"model\": \"m\",\n  \"messages\": [{\"role\": \"user\", \"content\": \"write to [EMAIL]\"}],"
                        + " \"max_tokens\": 12 }");
    }

    @Test
    void escapesAreDecodedBeforeScanningSoAnEscapedValueIsStillFound() {
        // "\u0040" is an @, "\n" ends the word before the address: read raw, neither would be an e-mail address
        assertThat(redacted(EMAIL_AND_CARD, "{\"content\":\"hi\\nana\\u0040example.com \\\"quoted\\\"\"}"))
                .isEqualTo("{\"content\":\"hi\\n[EMAIL] \\\"quoted\\\"\"}");
        assertThat(redacted(EMAIL_AND_CARD, "{\"content\":\"card \\u0034111 1111 1111 1111\"}"))
                .isEqualTo("{\"content\":\"card **** **** **** 1111\"}");
    }

    @Test
    void aCardWrittenAsANumberBecomesAStringSoTheJsonStaysValid() {
        assertThat(redacted(EMAIL_AND_CARD, "{\"card\": 4111111111111111, \"amount\": 12.5, \"id\": 4155552671}"))
                .isEqualTo("{\"card\": \"************1111\", \"amount\": 12.5, \"id\": 4155552671}");
        assertThat(apply(Map.of(Detector.PHONE, DlpAction.REDACT), "{\"id\": 4155552671, \"ts\": 1733212345678}"))
                .as("numbers are scanned for cards only: ids and times are not phone numbers")
                .isInstanceOf(Redactor.Outcome.Clean.class);
    }

    @Test
    void aFindingNeverSpansTwoStrings() {
        // as text, "555" and "0100" would be one run of digits across the quotes
        assertThat(apply(Map.of(Detector.PHONE, DlpAction.REDACT), "[\"+1 415 555\", \"0100 call\"]"))
                .isInstanceOf(Redactor.Outcome.Clean.class);
    }

    @Test
    void aBlockDecidesForTheWholeBodyAndNamesTheFindingThatDecided() {
        Redactor.Outcome outcome = apply(Map.of(Detector.EMAIL, DlpAction.REDACT, Detector.PAYMENT_CARD, DlpAction.BLOCK),
                "{\"a\":\"ana@example.com\",\"b\":\"4111-1111-1111-1111\"}");
        assertThat(outcome).isInstanceOfSatisfying(Redactor.Outcome.Blocked.class, b -> {
            assertThat(b.first().detector()).isEqualTo(Detector.PAYMENT_CARD);
            assertThat(b.findings()).extracting(Redactor.Finding::detector).containsExactly(Detector.EMAIL, Detector.PAYMENT_CARD);
        });
    }

    @Test
    void deeplyNestedJsonCostsNoRecursion() {
        String deep = "[".repeat(100_000) + "\"ana@example.com\"" + "]".repeat(100_000);
        assertThat(redacted(EMAIL_AND_CARD, deep)).isEqualTo("[".repeat(100_000) + "\"[EMAIL]\"" + "]".repeat(100_000));
    }

    @Test
    void aBodyThatIsNotJsonIsRedactedAsText() {
        assertThat(redacted(EMAIL_AND_CARD, "{\"content\": \"unterminated ana@example.com"))
                .isEqualTo("{\"content\": \"unterminated [EMAIL]");
        assertThat(redacted(EMAIL_AND_CARD, "plain ana@example.com")).isEqualTo("plain [EMAIL]");
    }

    @Test
    void invalidUtf8IsScannedAsBytesAndKept() {
        byte[] body = {'{', '"', 'c', '"', ':', '"', (byte) 0xff, (byte) 0xfe, ' ', 'a', 'n', 'a', '@', 'e', 'x', '.', 'c', 'o', 'm',
                '"', '}'};
        Redactor.Outcome outcome = new JsonRedactor(new Redactor(EMAIL_AND_CARD)).apply(body, 0, body.length);
        assertThat(outcome).isInstanceOfSatisfying(Redactor.Outcome.Redacted.class, r -> assertThat(r.body())
                .containsExactly('{', '"', 'c', '"', ':', '"', (byte) 0xff, (byte) 0xfe, ' ', '[', 'E', 'M', 'A', 'I', 'L', ']',
                        '"', '}'));
    }

    @Test
    void aHookReplacesTheStringsItTakesAndTheOthersAreScanned() {
        byte[] b = "{\"delta\":{\"content\":\"a\\\"b\"},\"id\":\"ana@example.com\"}".getBytes(StandardCharsets.UTF_8);
        Redactor.Outcome outcome = new JsonRedactor(new Redactor(EMAIL_AND_CARD)).apply(b, 0, b.length,
                (key, value) -> "content".equals(key) ? ("<" + new String(value, StandardCharsets.UTF_8) + ">")
                        .getBytes(StandardCharsets.UTF_8) : null);
        assertThat(new String(((Redactor.Outcome.Redacted) outcome).body(), StandardCharsets.UTF_8))
                .as("the hook sees the decoded value, and what it gives is written back escaped")
                .isEqualTo("{\"delta\":{\"content\":\"<a\\\"b>\"},\"id\":\"[EMAIL]\"}");
    }

    @Test
    void aBodyIsReadAsJsonByItsTypeOrItsFirstByte() {
        byte[] object = " \n{\"a\":1}".getBytes(StandardCharsets.UTF_8);
        byte[] text = "plain {x}".getBytes(StandardCharsets.UTF_8);
        assertThat(JsonRedactor.looksLikeJson(null, object)).isTrue();
        assertThat(JsonRedactor.looksLikeJson("text/plain", text)).isFalse();
        assertThat(JsonRedactor.looksLikeJson("Application/JSON; charset=utf-8", text)).isTrue();
    }
}
