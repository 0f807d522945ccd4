package dev.aimesh.core.ai;

import dev.aimesh.core.json.JsonFields;

/**
 * The tokens of a model's answer, counted as it passes: the text of each streamed event (OpenAI's
 * {@code choices[].delta.content} or {@code choices[].text}, Anthropic's {@code delta.text}) or of a whole JSON
 * answer ({@code choices[].message.content}), through the proxy's tokenizer, and the {@code usage} the server
 * reports when it does ({@code completion_tokens}/{@code output_tokens}, {@code prompt_tokens}/{@code input_tokens}).
 * The count goes up while the answer streams, without waiting for the usage; what is settled at the end is the
 * server's usage when it reported one, else the count.
 */
public final class AnswerTokens {
    private final TokenCounter counter;
    private long counted;
    private long reportedOutput = -1;
    private long reportedPrompt = -1;

    public AnswerTokens(TokenCounter counter) {
        this.counter = counter;
    }

    /**
     * One event's data or a whole answer; returns the tokens it added to the count. What is not JSON (a plain-text
     * stream) is counted as text; {@code [DONE]} adds nothing.
     */
    public long feed(byte[] data, int from, int to) {
        if (to - from == 6 && data[from] == '[' && data[from + 5] == ']') {
            return 0; // [DONE]
        }
        long before = counted;
        boolean json = JsonFields.visit(data, from, to, new JsonFields.Visitor() {
            @Override
            public boolean wants(String key, int depth) {
                return "content".equals(key) || "text".equals(key);
            }

            @Override
            public void string(String key, int depth, String value) {
                counted += counter.count(value);
            }

            @Override
            public void number(String key, int depth, long value) {
                if (key == null) {
                    return;
                }
                switch (key) {
                    // Anthropic's message_delta carries the output so far: the last one is the total
                    case "completion_tokens", "output_tokens" -> reportedOutput = value;
                    case "prompt_tokens", "input_tokens" -> reportedPrompt = value;
                    default -> { }
                }
            }
        });
        if (!json) {
            counted += counter.count(new String(data, from, to - from, java.nio.charset.StandardCharsets.UTF_8));
        }
        return counted - before;
    }

    /** Tokens that could not be read (an event over the inspection cap), counted from their size. */
    public long feedUnread(long bytes) {
        long tokens = (bytes + 3) / 4;
        counted += tokens;
        return tokens;
    }

    /** The tokens counted so far. */
    public long counted() {
        return counted;
    }

    /** The answer's tokens to settle with: the server's usage when it reported one, else the count. */
    public long output() {
        return reportedOutput >= 0 ? reportedOutput : counted;
    }

    /** The prompt's tokens as the server reported them, or -1. */
    public long reportedPrompt() {
        return reportedPrompt;
    }
}
