package dev.aimesh.demo;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.UUID;
import dev.aimesh.demo.OpenAiJson.ChatCompletion;
import dev.aimesh.demo.OpenAiJson.ChatCompletionChunk;
import dev.aimesh.demo.OpenAiJson.Choice;
import dev.aimesh.demo.OpenAiJson.ChunkChoice;
import dev.aimesh.demo.OpenAiJson.Delta;
import dev.aimesh.demo.OpenAiJson.Message;
import dev.aimesh.demo.OpenAiJson.Usage;

/**
 * The OpenAI-compatible endpoints: {@code POST /v1/chat/completions}, whole or streamed, and {@code GET /v1/models}.
 * The reply to the last user message is its sentiment, then generated text; {@code max_tokens} bounds the generated
 * words, while {@code usage} counts the word pieces of the whole reply.
 */
final class OpenAiApi {
    private final SentimentModel model;
    private final InstantSource clock;
    private final Duration tokenDelay;
    private final long modelCreated;

    OpenAiApi(SentimentModel model, InstantSource clock, Duration tokenDelay) {
        this.model = requireNonNull(model, "model");
        this.clock = requireNonNull(clock, "clock");
        this.tokenDelay = requireNonNull(tokenDelay, "tokenDelay");
        this.modelCreated = clock.instant().getEpochSecond();
    }

    void addRoutes(Router router) {
        router.add("POST", "/v1/chat/completions", this::chatCompletions);
        router.add("GET", "/v1/models", request -> Response.ok(new OpenAiJson.ModelList("list",
                List.of(new OpenAiJson.Model(model.name(), "model", modelCreated, "aimesh")))));
    }

    private Response chatCompletions(ApiRequest request) {
        ChatCompletionRequest chat = ChatCompletionRequest.parse(request.json());
        if (!chat.model().equals(model.name())) {
            return Response.openAiError(404, "The model '" + chat.model() + "' does not exist; this server serves '"
                    + model.name() + "'", "model_not_found");
        }
        String id = "chatcmpl-" + UUID.randomUUID().toString().replace("-", "");
        long created = clock.instant().getEpochSecond();
        return chat.stream() ? stream(chat, id, created) : complete(chat, id, created);
    }

    private Response complete(ChatCompletionRequest chat, String id, long created) {
        AssistantReply reply = model.reply(chat.lastUserMessage(), chat.maxTokens(), chat.minTokens());
        Choice choice = new Choice(0, new Message("assistant", reply.content()), reply.generation().finishReason().wireName());
        return Response.ok(new ChatCompletion(id, created, model.name(), choice, usage(chat, reply)));
    }

    /** First the role and the sentiment line, then one event per word as it is generated, then the finish and usage. */
    private Response stream(ChatCompletionRequest chat, String id, long created) {
        return new Response.EventStream(events -> {
            String prompt = chat.lastUserMessage();
            Classification sentiment = model.classify(prompt);
            events.data(chunk(id, created, new Delta("assistant", AssistantReply.sentimentLine(sentiment)), null, null));
            Generation generation;
            try {
                generation = model.generate(prompt, chat.maxTokens(), chat.minTokens(), word -> {
                    pause();
                    send(events, chunk(id, created, new Delta(null, AssistantReply.streamedWord(word)), null, null));
                });
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
            AssistantReply reply = new AssistantReply(sentiment, generation);
            events.data(chunk(id, created, new Delta(null, null), generation.finishReason().wireName(), usage(chat, reply)));
            events.done();
        });
    }

    private ChatCompletionChunk chunk(String id, long created, Delta delta, String finishReason, Usage usage) {
        return new ChatCompletionChunk(id, created, model.name(), new ChunkChoice(0, delta, finishReason), usage);
    }

    private static Usage usage(ChatCompletionRequest chat, AssistantReply reply) {
        return Usage.of(chat.promptTokens(), Tokenizer.count(reply.content()));
    }

    private void pause() {
        if (tokenDelay.isZero()) {
            return;
        }
        try {
            Thread.sleep(tokenDelay);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new InterruptedIOException("the server is closing"));
        }
    }

    private static void send(ServerSentEvents events, Object chunk) {
        try {
            events.data(chunk);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
