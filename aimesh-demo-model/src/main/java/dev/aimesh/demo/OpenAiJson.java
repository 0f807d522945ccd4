package dev.aimesh.demo;

import java.util.List;
import com.fasterxml.jackson.annotation.JsonInclude;

/** The OpenAI chat API's bodies as records; {@link Json} writes their names in snake_case. */
final class OpenAiJson {
    private OpenAiJson() {}

    record ChatCompletion(String id, String object, long created, String model, List<Choice> choices, Usage usage) {
        ChatCompletion(String id, long created, String model, Choice choice, Usage usage) {
            this(id, "chat.completion", created, model, List.of(choice), usage);
        }
    }

    record Choice(int index, Message message, String finishReason) {}

    record Message(String role, String content) {}

    /** A streamed piece; {@code usage} appears only on the last chunk. */
    record ChatCompletionChunk(String id, String object, long created, String model, List<ChunkChoice> choices,
            @JsonInclude(JsonInclude.Include.NON_NULL) Usage usage) {
        ChatCompletionChunk(String id, long created, String model, ChunkChoice choice, Usage usage) {
            this(id, "chat.completion.chunk", created, model, List.of(choice), usage);
        }
    }

    /** {@code finish_reason} is written as {@code null} until the last chunk, as clients expect. */
    record ChunkChoice(int index, Delta delta, String finishReason) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Delta(String role, String content) {}

    record Usage(int promptTokens, int completionTokens, int totalTokens) {
        static Usage of(int promptTokens, int completionTokens) {
            return new Usage(promptTokens, completionTokens, promptTokens + completionTokens);
        }
    }

    record ModelList(String object, List<Model> data) {}

    record Model(String id, String object, long created, String ownedBy) {}

    record Error(ErrorBody error) {}

    record ErrorBody(String message, String type, String code) {}
}
