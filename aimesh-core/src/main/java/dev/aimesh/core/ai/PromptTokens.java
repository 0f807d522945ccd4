package dev.aimesh.core.ai;

import java.nio.charset.StandardCharsets;
import java.util.OptionalLong;
import java.util.Set;
import dev.aimesh.core.json.JsonFields;

/**
 * What a request to a model will cost in tokens, before it is sent: the prompt's tokens (the text of its messages,
 * prompt or input, with a few tokens of framing per piece, as chat templates add) and the most it asks to be
 * answered with ({@code max_tokens}, {@code max_completion_tokens} or {@code max_output_tokens}). A body that is
 * not JSON is counted as text. Other strings (roles, model names, base64 images) are not counted: the estimate is
 * settled against the real count once the answer is in.
 */
public final class PromptTokens {
    /** Keys whose strings are prompt text, at any depth (a message's content, a content part's text). */
    private static final Set<String> TEXT_KEYS = Set.of("content", "text", "prompt", "input", "system", "instructions");
    private static final Set<String> MAX_KEYS = Set.of("max_tokens", "max_completion_tokens", "max_output_tokens");
    /** Tokens a chat template adds around each message (OpenAI's cookbook counts three). */
    static final int FRAMING = 3;

    private PromptTokens() {}

    /** @param maxTokens the answer's cap the request asks for, when it names one */
    public record Estimate(long promptTokens, OptionalLong maxTokens) {}

    public static Estimate of(byte[] body, int from, int to, TokenCounter counter) {
        long[] prompt = {0};
        long[] max = {-1};
        boolean json = JsonFields.visit(body, from, to, new JsonFields.Visitor() {
            @Override
            public boolean wants(String key, int depth) {
                return key != null && TEXT_KEYS.contains(key); // "prompt": ["a", "b"] too, not "stop": ["\n"]
            }

            @Override
            public void string(String key, int depth, String value) {
                prompt[0] += counter.count(value) + FRAMING;
            }

            @Override
            public void number(String key, int depth, long value) {
                if (depth == 1 && key != null && MAX_KEYS.contains(key)) {
                    max[0] = value;
                }
            }
        });
        if (!json) {
            return new Estimate(counter.count(new String(body, from, to - from, StandardCharsets.UTF_8)), OptionalLong.empty());
        }
        return new Estimate(prompt[0], max[0] < 0 ? OptionalLong.empty() : OptionalLong.of(max[0]));
    }
}
