package dev.aimesh.core.ai;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The prompt's estimate, the answer's count and the events the count reads. */
class TokensTest {
    /** One token a word, so counts are easy to read. */
    private static final TokenCounter WORDS = text -> text.isBlank() ? 0 : text.trim().split("\\s+").length;

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static PromptTokens.Estimate prompt(String body) {
        byte[] b = utf8(body);
        return PromptTokens.of(b, 0, b.length, WORDS);
    }

    @Test
    void aChatPromptCountsItsMessagesTextAndItsAskedMaximum() {
        var estimate = prompt("""
                {"model": "llama three", "max_tokens": 256, "stop": ["\\n"],
                 "messages": [{"role": "system", "content": "be brief"},
                              {"role": "user", "content": [{"type": "text", "text": "tell me a story"},
                                                           {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}}]}]}
                """);
        assertThat(estimate.promptTokens()).as("2 + 4 words, 3 framing tokens each").isEqualTo(2 + 4 + 2 * PromptTokens.FRAMING);
        assertThat(estimate.maxTokens()).isEqualTo(OptionalLong.of(256));
        assertThat(prompt("{\"prompt\": [\"one two\", \"three\"], \"max_completion_tokens\": 9}"))
                .isEqualTo(new PromptTokens.Estimate(3 + 2 * PromptTokens.FRAMING, OptionalLong.of(9)));
        assertThat(prompt("{\"input\": \"a b c\", \"options\": {\"max_tokens\": 5}}").maxTokens())
                .as("only the top-level maximum is the request's").isEmpty();
        assertThat(prompt("{\"prompt\": \"esc\\u0061ped \\\"quote\\\"\"}").promptTokens()).isEqualTo(2 + PromptTokens.FRAMING);
    }

    @Test
    void aBodyThatIsNotJsonIsCountedAsText() {
        assertThat(prompt("summarize this text please")).isEqualTo(new PromptTokens.Estimate(4, OptionalLong.empty()));
        assertThat(prompt("{\"prompt\": \"unterminated")).isEqualTo(new PromptTokens.Estimate(2, OptionalLong.empty()));
        assertThat(prompt("] {\"prompt\": \"closes first\"}")).as("a close with nothing open is not JSON (nor a crash)")
                .isEqualTo(new PromptTokens.Estimate(4, OptionalLong.empty()));
    }

    @Test
    void theAnswerIsCountedFromStreamedDeltasAndSettledFromTheReportedUsage() {
        AnswerTokens answer = new AnswerTokens(WORDS);
        assertThat(feed(answer, "{\"choices\":[{\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}")).isZero();
        assertThat(feed(answer, "{\"choices\":[{\"delta\":{\"content\":\"once upon\"}}]}")).isEqualTo(2);
        assertThat(feed(answer, "{\"type\":\"content_block_delta\",\"delta\":{\"type\":\"text_delta\",\"text\":\"a time\"}}"))
                .isEqualTo(2);
        assertThat(feed(answer, "[DONE]")).isZero();
        assertThat(answer.counted()).isEqualTo(4);
        assertThat(answer.output()).as("no usage reported: the count").isEqualTo(4);
        assertThat(feed(answer, "{\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":5}}")).isZero();
        assertThat(answer.output()).isEqualTo(5);
        assertThat(answer.reportedPrompt()).isEqualTo(12);

        AnswerTokens whole = new AnswerTokens(WORDS);
        assertThat(feed(whole, "{\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":\"the end of it\"}}]}"))
                .isEqualTo(4);
        assertThat(feed(whole, "plain text answer")).isEqualTo(3);
        assertThat(whole.feedUnread(40)).isEqualTo(10);
    }

    private static long feed(AnswerTokens answer, String data) {
        byte[] b = utf8(data);
        return answer.feed(b, 0, b.length);
    }

    @Test
    void eventsAreCutAtTheirBlankLineWhateverThePiecesAndLineEnds() {
        String stream = ": comment\r\n\r\nevent: delta\r\ndata: {\"a\":1}\r\n\r\ndata: one\ndata: two\n\nid: 7\rdata: cr\r\r\n\ndata: [DONE]\n\n";
        for (int piece = 1; piece <= stream.length(); piece++) {
            List<String> events = new ArrayList<>();
            SseEvents sse = new SseEvents(1024);
            byte[] b = utf8(stream);
            for (int at = 0; at < b.length; at += piece) {
                sse.feed(b, at, Math.min(b.length, at + piece), sink(events));
            }
            assertThat(events).as("pieces of %d bytes (the comment is an event without data)", piece)
                    .containsExactly("", "{\"a\":1}", "one\ntwo", "cr", "[DONE]");
        }
    }

    @Test
    void anEventOverTheCapIsReportedBySizeAndTheNextIsRead() {
        List<String> events = new ArrayList<>();
        SseEvents sse = new SseEvents(16);
        byte[] b = utf8("data: " + "x".repeat(40) + "\n\ndata: ok\n\n");
        sse.feed(b, 0, b.length, sink(events));
        assertThat(events).containsExactly("too large: 47", "ok");
    }

    @Test
    void eachEventSaysWhereItEndedInThePieceItEndedIn() {
        List<Integer> ends = new ArrayList<>();
        SseEvents sse = new SseEvents(64);
        byte[] b = utf8("data: a\n\ndata: b\r\n\r\n");
        SseEvents.Sink sink = new SseEvents.Sink() {
            @Override
            public void data(byte[] data, int from, int to, int end) {
                ends.add(end);
            }

            @Override
            public void tooLarge(long bytes, int end) {}
        };
        sse.feed(b, 0, 5, sink);
        sse.feed(b, 5, b.length, sink);
        assertThat(ends).as("past the LF of the first, and past the LF of the second's CRLF").containsExactly(9, 20);
    }

    private static SseEvents.Sink sink(List<String> events) {
        return new SseEvents.Sink() {
            @Override
            public void data(byte[] data, int from, int to, int end) {
                events.add(new String(data, from, to - from, StandardCharsets.UTF_8));
            }

            @Override
            public void tooLarge(long bytes, int end) {
                events.add("too large: " + bytes);
            }
        };
    }
}
