package dev.aimesh.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every bad request gets its 4xx with a JSON error shaped like the API of its path, never a 500. */
class BadRequestIT {
    private static final String CHAT = "/v1/chat/completions";
    private static final String INFER = "/v2/models/sentiment-v1/infer";
    private static final String USER_HI = "[{\"role\":\"user\",\"content\":\"hi\"}]";
    private static final String VALID_CHAT = "{\"model\":\"sentiment-v1\",\"max_tokens\":4,\"messages\":" + USER_HI + "}";
    private static final String VALID_INFER = "{\"inputs\":[{\"name\":\"text\",\"shape\":[1],\"datatype\":\"BYTES\",\"data\":[\"good\"]}]}";

    @AutoClose
    private final RunningDemoServer demo = new RunningDemoServer(Duration.ZERO);

    static Stream<Arguments> badRequests() {
        return Stream.of(
                Arguments.of("POST", CHAT, "not json", 400),
                Arguments.of("POST", CHAT, "", 400),
                Arguments.of("POST", CHAT, "[1, 2]", 400),
                Arguments.of("POST", CHAT, "{\"model\":\"sentiment-v1\",\"messages\":" + USER_HI + "} {}", 400),
                Arguments.of("POST", CHAT, "{\"model\":\"sentiment-v1\",\"messages\":" + USER_HI, 400),
                Arguments.of("POST", CHAT, "{}", 400),
                Arguments.of("POST", CHAT, "{\"messages\":" + USER_HI + "}", 400),
                Arguments.of("POST", CHAT, "{\"model\":7,\"messages\":" + USER_HI + "}", 400),
                Arguments.of("POST", CHAT, "{\"model\":\"sentiment-v1\"}", 400),
                Arguments.of("POST", CHAT, "{\"model\":\"sentiment-v1\",\"messages\":\"hi\"}", 400),
                Arguments.of("POST", CHAT, "{\"model\":\"sentiment-v1\",\"messages\":[]}", 400),
                Arguments.of("POST", CHAT, "{\"model\":\"sentiment-v1\",\"messages\":[\"hi\"]}", 400),
                Arguments.of("POST", CHAT, "{\"model\":\"sentiment-v1\",\"messages\":[{\"role\":\"user\"}]}", 400),
                Arguments.of("POST", CHAT, "{\"model\":\"sentiment-v1\",\"messages\":[{\"role\":\"user\",\"content\":{}}]}", 400),
                Arguments.of("POST", CHAT, "{\"model\":\"sentiment-v1\",\"messages\":[{\"content\":\"hi\"}]}", 400),
                Arguments.of("POST", CHAT, "{\"model\":\"sentiment-v1\",\"messages\":[{\"role\":\"system\",\"content\":\"hi\"}]}", 400),
                Arguments.of("POST", CHAT, "{\"model\":\"sentiment-v1\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\"}]}]}", 400),
                Arguments.of("POST", CHAT, "{\"model\":\"sentiment-v1\",\"max_tokens\":0,\"messages\":" + USER_HI + "}", 400),
                Arguments.of("POST", CHAT, "{\"model\":\"sentiment-v1\",\"max_tokens\":513,\"messages\":" + USER_HI + "}", 400),
                Arguments.of("POST", CHAT, "{\"model\":\"sentiment-v1\",\"max_tokens\":\"ten\",\"messages\":" + USER_HI + "}", 400),
                Arguments.of("POST", CHAT, "{\"model\":\"sentiment-v1\",\"max_tokens\":2.5,\"messages\":" + USER_HI + "}", 400),
                Arguments.of("POST", CHAT, "{\"model\":\"sentiment-v1\",\"max_tokens\":99999999999999999999,\"messages\":" + USER_HI + "}", 400),
                Arguments.of("POST", CHAT, "{\"model\":\"sentiment-v1\",\"stream\":\"yes\",\"messages\":" + USER_HI + "}", 400),
                Arguments.of("POST", CHAT, "{\"model\":\"other\",\"messages\":" + USER_HI + "}", 404),
                Arguments.of("GET", CHAT, null, 405),
                Arguments.of("DELETE", "/v1/models", null, 405),
                Arguments.of("GET", "/v1/completions", null, 404),
                Arguments.of("POST", INFER, "{", 400),
                Arguments.of("POST", INFER, "{}", 400),
                Arguments.of("POST", INFER, "{\"inputs\":{}}", 400),
                Arguments.of("POST", INFER, "{\"inputs\":[]}", 400),
                Arguments.of("POST", INFER, "{\"inputs\":[" + tensor("FP32", "[1]", "[0.5]") + "]}", 400),
                Arguments.of("POST", INFER, "{\"inputs\":[" + tensor("BYTES", "[1]", "[5]") + "]}", 400),
                Arguments.of("POST", INFER, "{\"inputs\":[" + tensor("BYTES", "[3]", "[\"a\",\"b\"]") + "]}", 400),
                Arguments.of("POST", INFER, "{\"inputs\":[" + tensor("BYTES", "[-1]", "[\"a\"]") + "]}", 400),
                Arguments.of("POST", INFER, "{\"inputs\":[" + tensor("BYTES", "[0]", "[]") + "]}", 400),
                Arguments.of("POST", INFER, "{\"inputs\":[" + tensor("BYTES", "2", "[\"a\",\"b\"]") + "]}", 400),
                Arguments.of("POST", INFER, "{\"inputs\":[{\"name\":\"text\",\"datatype\":\"BYTES\",\"shape\":[1]}]}", 400),
                Arguments.of("POST", INFER, "{\"inputs\":[" + tensor("BYTES", "[1]", "[\"a\"]") + "," + tensor("BYTES", "[1]", "[\"b\"]") + "]}", 400),
                Arguments.of("POST", INFER, "{\"inputs\":[" + tensor("BYTES", "[1]", "[\"a\"]") + "],\"outputs\":[{\"name\":\"logits\"}]}", 400),
                Arguments.of("POST", INFER, "{\"id\":5,\"inputs\":[" + tensor("BYTES", "[1]", "[\"a\"]") + "]}", 400),
                Arguments.of("POST", "/v2/models/other/infer", VALID_INFER, 404),
                Arguments.of("GET", INFER, null, 405),
                Arguments.of("POST", "/v2/health/ready", "{}", 405),
                Arguments.of("GET", "/v2/models", null, 404),
                Arguments.of("GET", "/", null, 404));
    }

    private static String tensor(String datatype, String shape, String data) {
        return "{\"name\":\"text\",\"datatype\":\"" + datatype + "\",\"shape\":" + shape + ",\"data\":" + data + "}";
    }

    @ParameterizedTest(name = "{0} {1} {2} -> {3}")
    @MethodSource("badRequests")
    void getsItsClientErrorWithAJsonMessage(String method, String path, String body, int status) {
        RunningDemoServer.Reply reply = demo.send(method, path, body);
        assertThat(reply.status()).as(reply.body()).isEqualTo(status);
        assertThat(reply.headers().firstValue("Content-Type")).hasValue("application/json");
        JsonNode error = reply.json().get("error");
        if (path.startsWith("/v1/")) {
            assertThat(error.get("message").asText()).isNotBlank();
            assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
        } else {
            assertThat(error.asText()).isNotBlank();
        }
        if (status == 405) {
            assertThat(reply.headers().firstValue("Allow")).isPresent();
        }
    }

    @Test
    void aBodyOverOneMebibyteIsA413AndTheConnectionStillAnswers() {
        String padding = "x".repeat(DemoModelServer.MAX_BODY_BYTES);
        for (String path : new String[] {CHAT, INFER}) {
            String body = "{\"model\":\"sentiment-v1\",\"pad\":\"" + padding + "\",\"messages\":" + USER_HI + "}";
            RunningDemoServer.Reply reply = demo.post(path, body);
            assertThat(reply.status()).as(path).isEqualTo(413);
            assertThat(reply.body()).contains("larger than 1 MiB");
        }
        assertThat(demo.post(CHAT, VALID_CHAT).status()).isEqualTo(200);
    }

    @Test
    void aBodyJustUnderTheLimitIsRead() {
        String padding = "x".repeat(DemoModelServer.MAX_BODY_BYTES - VALID_CHAT.length() - 20);
        String body = VALID_CHAT.replace("{\"model\"", "{\"pad\":\"" + padding + "\",\"model\"");
        assertThat(body.length()).isLessThanOrEqualTo(DemoModelServer.MAX_BODY_BYTES);
        assertThat(demo.post(CHAT, body).status()).isEqualTo(200);
    }

    @Test
    void mangledBodiesNeverCauseAServerError() {
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < 300; i++) {
            boolean chat = i % 2 == 0;
            String body = mangle(chat ? VALID_CHAT : VALID_INFER, random);
            RunningDemoServer.Reply reply = demo.post(chat ? CHAT : INFER, body);
            assertThat(reply.status()).as(body + " -> " + reply.body()).isIn(200, 400, 404);
        }
    }

    /** Cuts, duplicates or replaces a character or two, or swaps a value for one of another type. */
    private static String mangle(String json, SplittableRandom random) {
        StringBuilder s = new StringBuilder(json);
        int at = random.nextInt(s.length());
        String[] junk = {"\"", "{", "}", "[", "]", ",", ":", "1", "null", "true", "-1", "\"x\"", "\\", "\u00e9", "0.5e9"};
        switch (random.nextInt(4)) {
            case 0 -> s.setLength(at);
            case 1 -> s.deleteCharAt(at);
            case 2 -> s.insert(at, junk[random.nextInt(junk.length)]);
            default -> s.replace(at, Math.min(s.length(), at + 1 + random.nextInt(6)), junk[random.nextInt(junk.length)]);
        }
        return s.toString();
    }
}
