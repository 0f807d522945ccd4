package dev.aimesh.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

class OpenInferenceIT {
    private static final String TWO_TEXTS = """
            {"id": "req-7", "inputs": [{"name": "text", "shape": [2], "datatype": "BYTES",
              "data": ["I love this phone, it works great.", "Awful support, the app keeps crashing."]}]}""";

    @AutoClose
    private final RunningDemoServer demo = new RunningDemoServer(Duration.ZERO);

    @Test
    void infersTwoTextsIntoLabelsAndAProbabilityMatrix() {
        RunningDemoServer.Reply reply = demo.post("/v2/models/sentiment-v1/infer", TWO_TEXTS);
        assertThat(reply.status()).isEqualTo(200);
        JsonNode json = reply.json();
        assertThat(json.get("model_name").asText()).isEqualTo("sentiment-v1");
        assertThat(json.get("model_version").asText()).isEqualTo("1");
        assertThat(json.get("id").asText()).isEqualTo("req-7");
        JsonNode label = json.get("outputs").get(0);
        assertThat(label.get("name").asText()).isEqualTo("label");
        assertThat(label.get("datatype").asText()).isEqualTo("BYTES");
        assertThat(label.get("shape").toString()).isEqualTo("[2]");
        assertThat(label.get("data").toString()).isEqualTo("[\"positive\",\"negative\"]");
        JsonNode probabilities = json.get("outputs").get(1);
        assertThat(probabilities.get("name").asText()).isEqualTo("probabilities");
        assertThat(probabilities.get("datatype").asText()).isEqualTo("FP32");
        assertThat(probabilities.get("shape").toString()).isEqualTo("[2,3]");
        assertThat(probabilities.at("/parameters/labels").asText()).isEqualTo("negative,neutral,positive");
        JsonNode data = probabilities.get("data");
        assertThat(data).hasSize(6);
        for (int row = 0; row < 2; row++) {
            double sum = data.get(3 * row).asDouble() + data.get(3 * row + 1).asDouble() + data.get(3 * row + 2).asDouble();
            assertThat(sum).isCloseTo(1.0, within(1e-5));
        }
        assertThat(data.get(2).asDouble()).as("positive, first text").isGreaterThan(0.5);
        assertThat(data.get(3).asDouble()).as("negative, second text").isGreaterThan(0.5);
    }

    @Test
    void theVersionedPathNestedDataAndRequestedOutputsWork() {
        JsonNode json = demo.post("/v2/models/sentiment-v1/versions/1/infer", """
                {"inputs": [{"name": "text", "shape": [2, 1], "datatype": "BYTES", "data": [["The box has a manual."], ["Great!"]]}],
                 "outputs": [{"name": "label"}]}""").json();
        assertThat(json.has("id")).isFalse();
        assertThat(json.get("outputs")).hasSize(1);
        assertThat(json.at("/outputs/0/data").toString()).isEqualTo("[\"neutral\",\"positive\"]");
    }

    @Test
    void describesTheModelAndItsTensors() {
        for (String path : new String[] {"/v2/models/sentiment-v1", "/v2/models/sentiment-v1/versions/1"}) {
            JsonNode json = demo.get(path).json();
            assertThat(json.get("name").asText()).isEqualTo("sentiment-v1");
            assertThat(json.get("versions").toString()).isEqualTo("[\"1\"]");
            assertThat(json.get("platform").asText()).isEqualTo(OpenInferenceApi.PLATFORM);
            assertThat(json.get("inputs").toString()).isEqualTo("[{\"name\":\"text\",\"datatype\":\"BYTES\",\"shape\":[-1]}]");
            assertThat(json.get("outputs").toString()).isEqualTo("[{\"name\":\"label\",\"datatype\":\"BYTES\",\"shape\":[-1]},"
                    + "{\"name\":\"probabilities\",\"datatype\":\"FP32\",\"shape\":[-1,3]}]");
        }
    }

    @Test
    void reportsHealthReadinessAndServerMetadata() {
        assertThat(demo.get("/v2/health/live").status()).isEqualTo(200);
        assertThat(demo.get("/v2/health/ready").status()).isEqualTo(200);
        assertThat(demo.get("/v2/models/sentiment-v1/ready").json().get("ready").asBoolean()).isTrue();
        assertThat(demo.get("/v2").json().get("name").asText()).isEqualTo("aimesh-demo-model");
    }

    @Test
    void anUnknownModelOrVersionIsA404WithAnErrorString() {
        for (String path : new String[] {"/v2/models/other/infer", "/v2/models/sentiment-v1/versions/2/infer"}) {
            RunningDemoServer.Reply reply = demo.post(path, TWO_TEXTS);
            assertThat(reply.status()).as(path).isEqualTo(404);
            assertThat(reply.json().get("error").asText()).contains("is not served here");
        }
        assertThat(demo.get("/v2/models/other").status()).isEqualTo(404);
    }
}
