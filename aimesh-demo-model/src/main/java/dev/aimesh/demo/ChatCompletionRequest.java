package dev.aimesh.demo;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * A decoded {@code POST /v1/chat/completions} body. Fields the demo model has no use for (temperature, top_p, ...)
 * are accepted and ignored, as OpenAI-compatible servers do. {@code min_tokens} (as vLLM reads it) keeps the answer
 * going past the ends of sentences until it has that many words; without {@code max_tokens} the answer may then be as
 * long as the minimum.
 */
public record ChatCompletionRequest(String model, List<Message> messages, int maxTokens, int minTokens, boolean stream) {
    public static final int DEFAULT_MAX_TOKENS = 32;
    public static final int MAX_TOKENS_LIMIT = 512;

    /** One message of the conversation; content given as a list of text parts is joined with newlines. */
    public record Message(String role, String content) {
        public Message {
            requireNonNull(role, "role");
            requireNonNull(content, "content");
        }
    }

    public ChatCompletionRequest {
        requireNonNull(model, "model");
        messages = List.copyOf(requireNonNull(messages, "messages"));
        if (messages.stream().noneMatch(m -> m.role().equals("user"))) {
            throw new IllegalArgumentException("messages: no message with role \"user\" (expected: at least one)");
        }
    }

    public static ChatCompletionRequest parse(JsonNode body) {
        String model = JsonFields.string(body.get("model"), "model");
        JsonNode messages = JsonFields.array(body.get("messages"), "messages");
        if (messages.isEmpty()) {
            throw new InvalidRequestException("messages: empty (expected: at least one message)");
        }
        List<Message> decoded = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            decoded.add(message(messages.get(i), "messages[" + i + "]"));
        }
        if (decoded.stream().noneMatch(m -> m.role().equals("user"))) {
            throw new InvalidRequestException("messages: no message with role \"user\" (expected: at least one)");
        }
        // max_completion_tokens is the newer OpenAI name for the same limit.
        String limitField = JsonFields.present(body.get("max_completion_tokens")) ? "max_completion_tokens" : "max_tokens";
        int minTokens = JsonFields.present(body.get("min_tokens"))
                ? JsonFields.integer(body.get("min_tokens"), "min_tokens", 0, MAX_TOKENS_LIMIT) : 0;
        int maxTokens = JsonFields.present(body.get(limitField))
                ? JsonFields.integer(body.get(limitField), limitField, 1, MAX_TOKENS_LIMIT)
                : Math.max(DEFAULT_MAX_TOKENS, minTokens);
        if (minTokens > maxTokens) {
            throw new InvalidRequestException("min_tokens: " + minTokens + " is more than " + limitField + " (" + maxTokens + ")");
        }
        boolean stream = JsonFields.present(body.get("stream")) && JsonFields.bool(body.get("stream"), "stream");
        return new ChatCompletionRequest(model, decoded, maxTokens, minTokens, stream);
    }

    /** The text the model answers: the last message with role {@code user}. */
    public String lastUserMessage() {
        return messages.reversed().stream().filter(m -> m.role().equals("user")).findFirst().orElseThrow().content();
    }

    /** The prompt's size as {@code usage} reports it: the pieces of every message's content. */
    public int promptTokens() {
        return messages.stream().mapToInt(m -> Tokenizer.count(m.content())).sum();
    }

    private static Message message(JsonNode node, String path) {
        JsonFields.object(node, path);
        String role = JsonFields.string(node.get("role"), path + ".role");
        JsonNode content = node.get("content");
        if (JsonFields.present(content) && content.isArray()) {
            List<String> texts = new ArrayList<>();
            for (int i = 0; i < content.size(); i++) {
                String partPath = path + ".content[" + i + "]";
                JsonNode part = JsonFields.object(content.get(i), partPath);
                if (!"text".equals(part.path("type").asText())) {
                    throw new InvalidRequestException(partPath + ".type: " + JsonFields.describe(part.get("type"))
                            + " (expected: \"text\", the only part this model reads)");
                }
                texts.add(JsonFields.string(part.get("text"), partPath + ".text"));
            }
            return new Message(role, String.join("\n", texts));
        }
        return new Message(role, JsonFields.string(content, path + ".content"));
    }
}
