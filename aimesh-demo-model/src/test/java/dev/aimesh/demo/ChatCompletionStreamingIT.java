package dev.aimesh.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Streaming is checked by when events arrive, not only by what they say: a server that buffered the whole answer
 * would deliver the same lines, all at once at the end.
 */
class ChatCompletionStreamingIT {
    private static final Duration TOKEN_DELAY = Duration.ofMillis(50);
    private static final String PROMPT = "Tell me about the new headphones.";
    private static final int MAX_TOKENS = 12;
    private static final String REQUEST = """
            {"model": "sentiment-v1", "stream": true, "max_tokens": %d, "messages": [{"role": "user", "content": "%s"}]}"""
            .formatted(MAX_TOKENS, PROMPT);

    @AutoClose
    private final RunningDemoServer demo = new RunningDemoServer(TOKEN_DELAY);

    /** One line of the event stream and when this side read it. */
    private record Arrival(String line, long nanos) {}

    @Test
    void eventsArriveOneByOneWhileTheyAreGeneratedAndEndWithDone() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(demo.uri("/v1/chat/completions"))
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(REQUEST)).build();
        HttpResponse<Stream<String>> response = demo.client.send(request, HttpResponse.BodyHandlers.ofLines());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("text/event-stream");
        assertThat(response.headers().firstValue("Transfer-Encoding")).hasValue("chunked");
        List<Arrival> events = new ArrayList<>();
        try (Stream<String> lines = response.body()) {
            lines.filter(line -> !line.isEmpty()).forEach(line -> events.add(new Arrival(line, System.nanoTime())));
        }

        assertThat(events).allSatisfy(e -> assertThat(e.line()).startsWith("data: "));
        assertThat(events.getLast().line()).isEqualTo("data: [DONE]");
        List<Arrival> chunks = events.subList(0, events.size() - 1);
        assertThat(chunks).hasSizeGreaterThanOrEqualTo(3 + 2); // the sentiment line, at least 3 words, the finish
        assertThat(chunks.stream().mapToLong(Arrival::nanos).distinct().count()).isGreaterThanOrEqualTo(3);
        // Every word waits 50 ms before it is sent; buffered events would all arrive within a few ms of each other.
        long spread = chunks.getLast().nanos() - chunks.getFirst().nanos();
        assertThat(Duration.ofNanos(spread)).isGreaterThanOrEqualTo(Duration.ofMillis(100));
        assertThat(Duration.ofNanos(chunks.get(chunks.size() - 2).nanos() - chunks.get(1).nanos()))
                .as("the first word arrives well before the last").isGreaterThanOrEqualTo(Duration.ofMillis(50));

        assertMatchesTheWholeAnswer(chunks.stream().map(a -> a.line().substring("data: ".length())).toList());
    }

    @Test
    void aRealCurlSeesTheServerSentEvents() throws Exception {
        Optional<Path> curl = onPath("curl");
        Assumptions.assumeTrue(curl.isPresent(), "curl is not on the PATH: skipping the real-client streaming check");
        Process process = new ProcessBuilder(curl.get().toString(), "-sN", "--max-time", "30",
                "-H", "Content-Type: application/json", "-d", REQUEST, demo.uri("/v1/chat/completions").toString())
                .redirectErrorStream(true).start();
        process.getOutputStream().close();
        List<Arrival> lines = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = out.readLine()) != null; ) {
                lines.add(new Arrival(line, System.nanoTime()));
            }
        }
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("curl's exit code").isZero();

        List<String> text = lines.stream().map(Arrival::line).toList();
        // Server-sent events: each "data:" line ends its event with a blank line.
        for (int i = 0; i < text.size(); i += 2) {
            assertThat(text.get(i)).startsWith("data: ");
            assertThat(text.get(i + 1)).isEmpty();
        }
        List<Arrival> data = lines.stream().filter(a -> !a.line().isEmpty()).toList();
        assertThat(data.getLast().line()).isEqualTo("data: [DONE]");
        assertThat(Duration.ofNanos(data.getLast().nanos() - data.getFirst().nanos())).isGreaterThanOrEqualTo(Duration.ofMillis(100));
        assertMatchesTheWholeAnswer(data.subList(0, data.size() - 1).stream().map(a -> a.line().substring("data: ".length())).toList());
    }

    /** The chunks carry the same reply, finish reason and usage as the non-streamed answer to the same request. */
    private void assertMatchesTheWholeAnswer(List<String> chunkJson) throws IOException {
        List<JsonNode> chunks = new ArrayList<>();
        for (String json : chunkJson) {
            chunks.add(RunningDemoServer.JSON.readTree(json));
        }
        String id = chunks.getFirst().get("id").asText();
        assertThat(chunks).allSatisfy(c -> {
            assertThat(c.get("object").asText()).isEqualTo("chat.completion.chunk");
            assertThat(c.get("id").asText()).isEqualTo(id);
            assertThat(c.get("model").asText()).isEqualTo("sentiment-v1");
            assertThat(c.get("created").asLong()).isEqualTo(RunningDemoServer.NOW.getEpochSecond());
        });
        assertThat(chunks.getFirst().at("/choices/0/delta/role").asText()).isEqualTo("assistant");
        assertThat(chunks.subList(0, chunks.size() - 1)).allSatisfy(c -> {
            assertThat(c.at("/choices/0/finish_reason").isNull()).isTrue();
            assertThat(c.has("usage")).isFalse();
        });
        StringBuilder streamed = new StringBuilder();
        chunks.forEach(c -> streamed.append(c.at("/choices/0/delta/content").asText("")));

        JsonNode whole = demo.post("/v1/chat/completions", REQUEST.replace("\"stream\": true", "\"stream\": false")).json();
        assertThat(streamed).hasToString(whole.at("/choices/0/message/content").asText());
        JsonNode last = chunks.getLast();
        assertThat(last.at("/choices/0/delta").isEmpty()).isTrue();
        assertThat(last.at("/choices/0/finish_reason").asText()).isEqualTo(whole.at("/choices/0/finish_reason").asText());
        assertThat(last.get("usage")).isEqualTo(whole.get("usage"));
    }

    private static Optional<Path> onPath(String program) {
        return Arrays.stream(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .filter(dir -> !dir.isEmpty())
                .map(dir -> Path.of(dir, program))
                .filter(Files::isExecutable)
                .findFirst();
    }
}
