package dev.aimesh.demo;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.util.Map;

/** What a route answers: a whole JSON body, or server-sent events written while they are produced. */
sealed interface Response {
    /** A JSON body with its status and any extra headers. */
    record JsonBody(int status, Object body, Map<String, String> headers) implements Response {
        public JsonBody {
            requireNonNull(body, "body");
            headers = Map.copyOf(requireNonNull(headers, "headers"));
        }
    }

    /** A {@code text/event-stream} answer with status 200; the source writes the events. */
    record EventStream(EventSource source) implements Response {
        public EventStream {
            requireNonNull(source, "source");
        }
    }

    @FunctionalInterface
    interface EventSource {
        void writeTo(ServerSentEvents events) throws IOException;
    }

    static Response ok(Object body) {
        return new JsonBody(200, body, Map.of());
    }

    /** An error in the OpenAI shape: {@code {"error": {"message", "type", "code"}}}. */
    static JsonBody openAiError(int status, String message, String code) {
        String type = status >= 500 ? "server_error" : "invalid_request_error";
        return new JsonBody(status, new OpenAiJson.Error(new OpenAiJson.ErrorBody(message, type, code)), Map.of());
    }

    /** An error in the Open Inference Protocol shape: {@code {"error": "..."}}. */
    static JsonBody inferenceError(int status, String message) {
        return new JsonBody(status, new OpenInferenceJson.Error(message), Map.of());
    }

    /** An error for a request that reached no route: shaped like the API its path belongs to. */
    static JsonBody errorFor(String path, int status, String message, String openAiCode) {
        return path.startsWith("/v1/") ? openAiError(status, message, openAiCode) : inferenceError(status, message);
    }
}
