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
            "{\"model\":\"small\",\"Model\":\"huge\"}|names \"model\" twice",
            "{\"MODEL\":\"huge\",\"model\":\"small\"}|names its model as \"MODEL\"",
            "{\"model\":\"small\",\"mod\\u0065l\":\"huge\"}|names \"model\" twice",
            "{\"model\":\"small\",\"\\u006dodel\":\"huge\"}|names \"model\" twice",
            "{\"Model\":\"huge\"}|names its model as \"Model\"",
            "{\"mod\\u0045l\":\"huge\"}|names its model as \"modEl\"",
            "{\"mo\\del\":\"huge\"}|bad escape",
            "{\"model\":\"small\\ud800\"}|lone surrogate",
            "{\"model\":\"small\",\"n\":NaN}|malformed number",
            "{\"model\":\"small\",\"n\":-Infinity}|malformed number",
            "{\"model\":\"small\",\"n\":01}|malformed",
            "{\"model\":\"small\",\"n\":+1}|malformed number",
            "{\"model\":\"small\",\"n\":1.}|malformed number",
            "{\"model\":\"small\",\"n\":1e}|malformed number",
            "{\"model\":\"small\"}garbage|data after its JSON object",
    })
    void refusesWhatCouldBeReadAnotherWay(String json, String reason) {
        assertThat(scan(json)).isInstanceOfSatisfying(BodyModel.Result.Refused.class,
                r -> assertThat(r.reason()).contains(reason));
    }

    @Test
    void acceptsEscapesEveryParserReadsTheSameAndStrictNumbers() {
        assertThat(scan("{\"mod\\u0065l\":\"small\"}")).isEqualTo(new BodyModel.Result.Found("small"));
        assertThat(scan("{\"model\":\"\\ud83d\\ude00\",\"n\":[0,-0.5,1e10,2E-3,10]}"))
                .isEqualTo(new BodyModel.Result.Found("\ud83d\ude00"));
        assertThat(scan("{\"messages\":[{\"Model\":\"x\"}],\"model\":\"small\"}"))
                .as("only top-level keys name the model").isEqualTo(new BodyModel.Result.Found("small"));
    }

    @Test
    void refusesABomAndBytesThatAreNotUtf8() {
        byte[] bom = "\ufeff{\"model\":\"small\"}".getBytes(StandardCharsets.UTF_8);
        assertThat(BodyModel.scan(bom, bom.length)).isInstanceOfSatisfying(BodyModel.Result.Refused.class,
                r -> assertThat(r.reason()).contains("byte order mark"));
        byte[] latin1 = "{\"model\":\"caf\u00e9\"}".getBytes(StandardCharsets.ISO_8859_1);
        assertThat(BodyModel.scan(latin1, latin1.length)).isInstanceOfSatisfying(BodyModel.Result.Refused.class,
                r -> assertThat(r.reason()).contains("not valid UTF-8"));
    }

    @Test
    void refusesDeepNesting() {
        assertThat(scan("{\"a\":" + "[".repeat(100) + "]".repeat(100) + "}"))
                .isInstanceOfSatisfying(BodyModel.Result.Refused.class, r -> assertThat(r.reason()).contains("nests deeper"));
    }
}
