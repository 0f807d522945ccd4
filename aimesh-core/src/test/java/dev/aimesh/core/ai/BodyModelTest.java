package dev.aimesh.core.ai;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BodyModelTest {
    private static BodyModel.Result scan(String json) {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        return BodyModel.scan(bytes, bytes.length);
    }

    @Test
    void findsTheTopLevelModelWhereverItIs() {
        assertThat(scan("""
                {"messages":[{"role":"user","content":"say \\"model\\": x","model":"inner"}],
                 "stream":true,"max_tokens":12,"temperature":0.5e-1,"stop":null,
                 "model":"gpt-4o-mini","metadata":{"model":"nested"}}
                """)).isEqualTo(new BodyModel.Result.Found("gpt-4o-mini"));
        assertThat(scan("{\"model\":\"caf\\u00e9\"}")).isEqualTo(new BodyModel.Result.Found("café"));
        assertThat(scan("{\"model\":\"mod\u00e8le\"}")).isEqualTo(new BodyModel.Result.Found("modèle"));
        assertThat(scan("{\"input\":\"hi\"}")).isEqualTo(new BodyModel.Result.Absent());
        assertThat(scan("  {}  ")).isEqualTo(new BodyModel.Result.Absent());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "{\"model\":\"small\",\"model\":\"huge\"}|names \"model\" twice",
            "{\"model\":[\"small\"]}|is not a string",
            "{\"model\":\"\"}|is empty",
            "[{\"model\":\"small\"}]|not a JSON object",
            "{\"model\":\"small\"} {\"model\":\"huge\"}|data after its JSON object",
            "{\"model\":\"small\"|ends early",
            "{\"model\":\"small\",}|key that is not a string",
            "{'model':'small'}|key that is not a string",
            "{\"a\":tru}|unknown literal",
            "{\"a\":\"\\x\"}|bad escape",
    })
    void refusesWhatCouldBeReadAnotherWay(String json, String reason) {
        assertThat(scan(json)).isInstanceOfSatisfying(BodyModel.Result.Refused.class,
                r -> assertThat(r.reason()).contains(reason));
    }

    @Test
    void refusesDeepNesting() {
        assertThat(scan("{\"a\":" + "[".repeat(100) + "]".repeat(100) + "}"))
                .isInstanceOfSatisfying(BodyModel.Result.Refused.class, r -> assertThat(r.reason()).contains("nests deeper"));
    }
}
