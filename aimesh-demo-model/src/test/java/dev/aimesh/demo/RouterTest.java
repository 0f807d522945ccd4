package dev.aimesh.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RouterTest {
    private final Router.Route infer = request -> Response.ok("infer");
    private final Router.Route metadata = request -> Response.ok("metadata");
    private final Router router = new Router()
            .add("POST", "/v2/models/{name}/infer", infer)
            .add("GET", "/v2/models/{name}", metadata);

    @Test
    void aPatternVariableMatchesOneWholeSegment() {
        assertThat(router.match("POST", "/v2/models/m1/infer")).isEqualTo(new Router.Match.Found(infer, Map.of("name", "m1")));
        assertThat(router.match("GET", "/v2/models/m1")).isEqualTo(new Router.Match.Found(metadata, Map.of("name", "m1")));
        assertThat(router.match("GET", "/v2/models//")).isEqualTo(new Router.Match.NotFound());
        assertThat(router.match("GET", "/v2/models/")).isEqualTo(new Router.Match.NotFound());
        assertThat(router.match("POST", "/v2/models/a/b/infer")).isEqualTo(new Router.Match.NotFound());
    }

    @Test
    void aKnownPathUnderAnotherMethodIsAWrongMethodListingTheAllowedOnes() {
        assertThat(router.match("GET", "/v2/models/m1/infer")).isEqualTo(new Router.Match.WrongMethod(Set.of("POST")));
    }

    @Test
    void anUnknownPathIsNotFound() {
        assertThat(router.match("GET", "/")).isEqualTo(new Router.Match.NotFound());
        assertThat(router.match("GET", "*")).isEqualTo(new Router.Match.NotFound());
        assertThat(router.match("GET", "/v2/models/m1/infer/")).isEqualTo(new Router.Match.NotFound());
    }
}
