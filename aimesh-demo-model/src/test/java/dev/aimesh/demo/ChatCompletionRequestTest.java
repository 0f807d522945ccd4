package dev.aimesh.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ChatCompletionRequestTest {
    private static ChatCompletionRequest parse(String json) {
        return ChatCompletionRequest.parse(Json.object(json.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void defaultsAndTheLastUserMessageAnswered() {
        ChatCompletionRequest request = parse("""
                {"model": "m", "temperature": 0.2, "messages": [
                  {"role": "system", "content": "Be brief."},
                  {"role": "user", "content": "First question"},
                  {"role": "assistant", "content": "An answer."},
                  {"role": "user", "content": [{"type": "text", "text": "Second"}, {"type": "text", "text": "question"}]}]}""");
        assertThat(request.maxTokens()).isEqualTo(ChatCompletionRequest.DEFAULT_MAX_TOKENS);
        assertThat(request.stream()).isFalse();
        assertThat(request.lastUserMessage()).isEqualTo("Second\nquestion");
        assertThat(request.promptTokens()).isEqualTo(3 + 2 + 3 + 2);
    }

    @Test
    void maxCompletionTokensIsTheNewerNameOfMaxTokens() {
        assertThat(parse("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_completion_tokens\":7}")
                .maxTokens()).isEqualTo(7);
    }

    @Test
    void minTokensRaisesTheDefaultMaximumAndMayNotExceedAGivenOne() {
        String user = "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";
        ChatCompletionRequest longer = parse("{\"model\":\"m\"," + user + ",\"min_tokens\":300}");
        assertThat(longer.minTokens()).isEqualTo(300);
        assertThat(longer.maxTokens()).isEqualTo(300);
        assertThat(parse("{\"model\":\"m\"," + user + "}").minTokens()).isZero();
        assertThatThrownBy(() -> parse("{\"model\":\"m\"," + user + ",\"min_tokens\":9,\"max_tokens\":4}"))
                .hasMessage("min_tokens: 9 is more than max_tokens (4)");
    }

    @Test
    void problemsNameTheFieldTheValueAndWhatWasExpected() {
        assertThatThrownBy(() -> parse("{\"messages\":[]}")).hasMessage("model: is required");
        assertThatThrownBy(() -> parse("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":1}]}"))
                .hasMessage("messages[0].content: a number (1) (expected: a string)");
        assertThatThrownBy(() -> parse("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"max_tokens\":513}"))
                .hasMessage("max_tokens: 513 (expected: an integer in 1..512)");
        assertThatThrownBy(() -> parse("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"max_tokens\":1e3}"))
                .hasMessageStartingWith("max_tokens: a number");
        assertThatThrownBy(() -> parse("{\"model\":\"m\",\"messages\":[{\"role\":\"system\",\"content\":\"x\"}]}"))
                .hasMessage("messages: no message with role \"user\" (expected: at least one)");
        assertThatThrownBy(() -> parse("{\"model\":\"m\"} trailing")).isInstanceOf(InvalidRequestException.class)
                .hasMessageStartingWith("the request body is not valid JSON");
    }
}
