package dev.aimesh.core.dlp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SseRedactorTest {
    private static final Map<Detector, DlpAction> ACTIONS = Map.of(Detector.EMAIL, DlpAction.REDACT,
            Detector.PAYMENT_CARD, DlpAction.BLOCK, Detector.US_SSN, DlpAction.MASK);

    private static SseRedactor redactor(int maxEventBytes) {
        return new SseRedactor(new JsonRedactor(new Redactor(ACTIONS)), maxEventBytes);
    }

    private static String chunk(String content) {
        return "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + content + "\"}}]}\n\n";
    }

    /** Feeds the pieces, then ends the stream; returns everything released. */
    private static String stream(SseRedactor redactor, List<Redactor.Finding> findings, String... pieces) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String piece : pieces) {
            byte[] b = piece.getBytes(StandardCharsets.UTF_8);
            SseRedactor.Release r = redactor.feed(b, 0, b.length);
            out.writeBytes(r.bytes());
            findings.addAll(r.findings());
        }
        SseRedactor.Release end = redactor.finish();
        out.writeBytes(end.bytes());
        findings.addAll(end.findings());
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aCleanStreamPassesEventByEventWithItsText() {
        SseRedactor redactor = redactor(64 * 1024);
        byte[] first = (chunk("Hello") + chunk(" there,")).getBytes(StandardCharsets.UTF_8);
        SseRedactor.Release r = redactor.feed(first, 0, first.length);
        assertThat(new String(r.bytes(), StandardCharsets.UTF_8))
                .as("a word is released once the next one shows it ended; the event goes on at once, with what is released")
                .isEqualTo(chunk("") + chunk("Hello there,"));
        List<Redactor.Finding> findings = new ArrayList<>();
        assertThat(stream(redactor, findings, chunk(" friend"), "data: [DONE]\n\n"))
                .as("the last word is held to the end, and goes out in an event of its own before [DONE]")
                .isEqualTo(chunk(" ") + chunk("friend") + "data: [DONE]\n\n");
        assertThat(findings).isEmpty();
    }

    @Test
    void anAddressSplitAcrossEventsIsRedactedInTheEventThatCompletesIt() {
        List<Redactor.Finding> findings = new ArrayList<>();
        String out = stream(redactor(64 * 1024), findings, chunk("write to ana"), chunk("@exam"), chunk("ple.com today"),
                "data: [DONE]\n\n");
        assertThat(out).isEqualTo(chunk("write to ") + chunk("") + chunk("[EMAIL] ") + chunk("today") + "data: [DONE]\n\n");
        assertThat(findings).extracting(Redactor.Finding::detector).containsExactly(Detector.EMAIL);
    }

    @Test
    void eventsSplitAcrossPiecesAndCrLfLineEndsAreJoinedFirst() {
        String event = "event: delta\r\ndata: {\"delta\":{\"text\":\"ana@example.com \"}}\r\n\r\n";
        List<Redactor.Finding> findings = new ArrayList<>();
        String out = stream(redactor(64 * 1024), findings, event.substring(0, 20), event.substring(20, 41), event.substring(41));
        assertThat(out).isEqualTo("event: delta\ndata: {\"delta\":{\"text\":\"[EMAIL] \"}}\n\n");
    }

    @Test
    void aBlockedValueEndsTheStreamWithAnErrorEventAndNothingAfterIt() {
        SseRedactor redactor = redactor(64 * 1024);
        List<Redactor.Finding> findings = new ArrayList<>();
        String out = stream(redactor, findings, chunk("card 4111 1111 "), chunk("1111 1111 ok"), chunk(" more"),
                "data: [DONE]\n\n");
        assertThat(out).isEqualTo(chunk("card ") + chunk("") + "event: error\ndata: {\"error\":{\"type\":\"dlp_blocked\","
                + "\"code\":\"dlp-blocked\",\"message\":\"the response was stopped: it contained payment-card data\"}}\n\n");
        assertThat(findings).extracting(Redactor.Finding::detector).containsExactly(Detector.PAYMENT_CARD);
    }

    @Test
    void textStillHeldWhenTheStreamEndsGoesOutInOneMoreEventMadeFromTheLast() {
        List<Redactor.Finding> findings = new ArrayList<>();
        String out = stream(redactor(64 * 1024), findings, chunk("ssn 123-45-"), chunk("6789"), "data: [DONE]\n\n");
        assertThat(out).isEqualTo(chunk("ssn ") + chunk("") + chunk("***-**-6789") + "data: [DONE]\n\n");
        assertThat(stream(redactor(64 * 1024), new ArrayList<>(), chunk("bye ana@example.com")))
                .as("without [DONE] too").isEqualTo(chunk("bye ") + chunk("[EMAIL]"));
    }

    @Test
    void plainDataEventsAreTheTextItself() {
        List<Redactor.Finding> findings = new ArrayList<>();
        String out = stream(redactor(64 * 1024), findings, "data: mail ana@\n\n", "data: example.com now\n\n", ": keep-alive\n\n");
        assertThat(out).isEqualTo("data: mail \n\ndata: [EMAIL] \n\n: keep-alive\n\ndata: now\n\n");
    }

    @Test
    void otherStringsOfAnEventAreScannedOnTheirOwn() {
        String event = "data: {\"user\":\"ana@example.com\",\"delta\":{\"content\":\"hi \"}}\n\n";
        assertThat(stream(redactor(64 * 1024), new ArrayList<>(), event))
                .isEqualTo("data: {\"user\":\"[EMAIL]\",\"delta\":{\"content\":\"hi \"}}\n\n");
    }

    @Test
    void anEventOverTheCapIsReportedAndTheCallerChoosesToEndOrPass() {
        SseRedactor ended = redactor(64);
        byte[] big = ("data: " + "x".repeat(100)).getBytes(StandardCharsets.UTF_8);
        SseRedactor.Release r = ended.feed(big, 0, big.length);
        assertThat(r.overLimit()).isTrue();
        assertThat(r.bytes()).isEmpty();
        assertThat(new String(ended.refuse("dlp-event-too-large", "too large"), StandardCharsets.UTF_8)).startsWith("event: error\n");
        assertThat(ended.feed(big, 0, big.length).bytes()).as("nothing after the end").isEmpty();

        SseRedactor passed = redactor(64);
        passed.feed(big, 0, big.length);
        assertThat(passed.passUnscanned()).isEqualTo(big);
        byte[] more = "ana@example.com\n\n".getBytes(StandardCharsets.UTF_8);
        assertThat(passed.feed(more, 0, more.length).bytes()).isEqualTo(more);
    }

    @Test
    void anEventEndIsFoundOnlyAtABlankLine() {
        assertThat(SseRedactor.eventEnd("data: a\n".getBytes(StandardCharsets.UTF_8), 0)).isEqualTo(-1);
        assertThat(SseRedactor.eventEnd("data: a\n\ndata: b".getBytes(StandardCharsets.UTF_8), 0)).isEqualTo(9);
        assertThat(SseRedactor.eventEnd("data: a\r\n\r\n".getBytes(StandardCharsets.UTF_8), 0)).isEqualTo(11);
        assertThat(SseRedactor.eventEnd("data: a\r\n\r".getBytes(StandardCharsets.UTF_8), 0)).as("its LF may follow").isEqualTo(-1);
    }
}
