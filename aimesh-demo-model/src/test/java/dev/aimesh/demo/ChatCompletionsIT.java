package dev.aimesh.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

class ChatCompletionsIT {
    @AutoClose
    private final RunningDemoServer demo = new RunningDemoServer(Duration.ZERO);

    private static String chat(String content, int maxTokens) {
        return """
                {"model": "sentiment-v1", "max_tokens": %d,
                 "messages": [{"role": "system", "content": "You rate sentiment."}, {"role": "user", "content": "%s"}]}"""
                .formatted(maxTokens, content);
    }

    @Test
    void answersTheOpenAiChatCompletionShape() {
        RunningDemoServer.Reply reply = demo.post("/v1/chat/completions", chat("I love this assistant, it is so helpful!", 16));
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.headers().firstValue("Content-Type")).hasValue("application/json");
        JsonNode json = reply.json();
        assertThat(json.get("id").asText()).startsWith("chatcmpl-");
        assertThat(json.get("object").asText()).isEqualTo("chat.completion");
        assertThat(json.get("created").asLong()).isEqualTo(RunningDemoServer.NOW.getEpochSecond());
        assertThat(json.get("model").asText()).isEqualTo("sentiment-v1");
        assertThat(json.get("choices")).hasSize(1);
        JsonNode choice = json.get("choices").get(0);
        assertThat(choice.get("index").asInt()).isZero();
        assertThat(choice.get("message").get("role").asText()).isEqualTo("assistant");
        assertThat(choice.get("message").get("content").asText()).matches("Sentiment: positive \\(0\\.\\d\\d\\)\\. \\S.*");
        assertThat(choice.get("finish_reason").asText()).isIn("stop", "length");
    }

    @Test
    void usageCountsThePromptAndTheReplyAndAddsThemUp() {
        JsonNode json = demo.post("/v1/chat/completions", chat("The package arrived on Tuesday.", 8)).json();
        JsonNode usage = json.get("usage");
        String content = json.get("choices").get(0).get("message").get("content").asText();
        assertThat(usage.get("prompt_tokens").asInt())
                .isEqualTo(Tokenizer.count("You rate sentiment.") + Tokenizer.count("The package arrived on Tuesday."))
                .isEqualTo(4 + 6);
        assertThat(usage.get("completion_tokens").asInt()).isEqualTo(Tokenizer.count(content));
        assertThat(usage.get("total_tokens").asInt())
                .isEqualTo(usage.get("prompt_tokens").asInt() + usage.get("completion_tokens").asInt());
    }

    @Test
    void theReplyIsDeterministicAndMaxTokensBoundsTheGeneratedWords() {
        JsonNode first = demo.post("/v1/chat/completions", chat("Is the laptop any good?", 3)).json().get("choices").get(0);
        JsonNode again = demo.post("/v1/chat/completions", chat("Is the laptop any good?", 3)).json().get("choices").get(0);
        assertThat(again).isEqualTo(first);
        AssistantReply expected = RunningDemoServer.model().reply("Is the laptop any good?", 3);
        assertThat(expected.generation().words()).hasSizeBetween(1, 3);
        assertThat(first.get("message").get("content").asText()).isEqualTo(expected.content());
        assertThat(first.get("finish_reason").asText()).isEqualTo(expected.generation().finishReason().wireName());
    }

    @Test
    void listsTheServedModel() {
        JsonNode json = demo.get("/v1/models").json();
        assertThat(json.get("object").asText()).isEqualTo("list");
        assertThat(json.get("data")).hasSize(1);
        assertThat(json.get("data").get(0).get("id").asText()).isEqualTo("sentiment-v1");
        assertThat(json.get("data").get(0).get("object").asText()).isEqualTo("model");
    }

    @Test
    void anUnknownModelIsA404InOpenAiErrorShape() {
        RunningDemoServer.Reply reply = demo.post("/v1/chat/completions",
                "{\"model\":\"gpt-9\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertThat(reply.status()).isEqualTo(404);
        JsonNode error = reply.json().get("error");
        assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
        assertThat(error.get("code").asText()).isEqualTo("model_not_found");
        assertThat(error.get("message").asText()).contains("gpt-9");
    }
}
