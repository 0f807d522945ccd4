package dev.aimesh.core.ai;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ModelCallTest {
    @ParameterizedTest(name = "{0} {1} is {2}")
    @CsvSource({
            "POST, /v1/chat/completions, chat",
            "POST, /v1/chat/completions/, chat",
            "POST, /v1/Chat/Completions, chat",
            "POST, /v1/chat/completions;x, chat",
            "POST, /v1/completions//, completions",
            "POST, /v1/embeddings, embeddings",
            "GET, /v1/models/, metadata",
            "GET, /V2/HEALTH/READY, metadata",
            "POST, /v2/models/m/infer, infer",
            "POST, /v2/models/m/versions/3/infer/, infer",
            "POST, /v2/models/m/generate_stream, infer",
            "POST, /v2/models/m/load, admin",
            "POST, /v2/models/m/load/, admin",
            "POST, /v2/models/m/LOAD, admin",
            "POST, /v2/models/m/unload;jsessionid=1, admin",
            "POST, /v2/models/m/versions/3/unload/, admin",
            "POST, /v2/repository/index, admin",
            "POST, /v2/repository, admin",
            "POST, /v2/Repository/models/m/load, admin",
            "POST, /v1/models/m:predict, infer",
            "GET, /v2/models/m/ready/, metadata",
    })
    void aRouteIsRecognizedWhateverItsTrailingSlashesParametersOrCase(String method, String path, String operation) {
        assertThat(ModelCall.of(method, path).operation()).map(AiOperation::key).contains(operation);
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
            "GET, /v1/chat/completions",
            "GET, /v2/models/m/load",
            "POST, /v2/models/m/ready",
            "POST, /v1/audio/transcriptions",
            "GET, /",
            "POST, /v2/models/m/loader",
    })
    void otherRoutesAndMethodsAreNoOperation(String method, String path) {
        assertThat(ModelCall.of(method, path).operation()).isEmpty();
    }

    @Test
    void theModelAndVersionKeepTheirCaseWithoutParametersOrTrailingSlash() {
        ModelCall call = ModelCall.of("POST", "/v2/models/Llama-3;x/Versions/V2/INFER/");
        assertThat(call.model()).contains("Llama-3");
        assertThat(call.version()).contains("V2");
        assertThat(ModelCall.of("POST", "/v1/models/Bert:predict").model()).contains("Bert");
        assertThat(ModelCall.of("GET", "/v1/models/Bert/").model()).contains("Bert");
        assertThat(ModelCall.of("POST", "/v1/chat/completions/").model()).isEmpty();
    }

    @Test
    void theRouteDropsParametersAndTrailingSlashesOnly() {
        assertThat(ModelCall.routeOf("/")).isEqualTo("/");
        assertThat(ModelCall.routeOf("//")).isEqualTo("/");
        assertThat(ModelCall.routeOf("/a;b=c/d;e/")).isEqualTo("/a/d");
        assertThat(ModelCall.routeOf("/a/B")).isEqualTo("/a/B");
        assertThat(ModelCall.of("POST", "/v2/models/m/infer").withBodyModel(Optional.of("x")).model()).contains("m");
    }
}
