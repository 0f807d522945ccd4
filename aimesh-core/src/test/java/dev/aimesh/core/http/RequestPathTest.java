package dev.aimesh.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RequestPathTest {
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = ' ', value = {
            "/ /",
            "/v1/chat/completions /v1/chat/completions",
            "/v1/models?limit=5 /v1/models",
            "/a/b/../c /a/c",
            "/a/./b /a/b",
            "/a/b/.. /a/",
            "/a/b/. /a/b/",
            "/.. /",
            "/../../etc/passwd /etc/passwd",
            "//admin /admin",
            "/a///b// /a/b/",
            "/%61dmin /admin",
            "/a/%2e%2e/admin /admin",
            "/a/%2E/b /a/b",
            "/x\\..\\admin /admin",
            "/caf%c3%a9 /caf%C3%A9",
            "/a%7eb /a~b",
            "/a%20b /a%20b",
    })
    void normalizes(String target, String expected) {
        assertThat(RequestPath.normalize(target)).isEqualTo(new RequestPath.Result.Normalized(expected));
    }

    @ParameterizedTest(name = "{0} is refused: {1}")
    @CsvSource(delimiter = '|', value = {
            "/a%2Fb|encoded '/'",
            "/a%2fb|encoded '/'",
            "/a%5Cb|encoded '\\'",
            "/a%00b|encoded NUL",
            "/a%zzb|not followed by two hex digits",
            "/a%2|not followed by two hex digits",
            "/a#frag|fragment",
            "/a b|control, space or non-ASCII",
            "/caf\u00e9|control, space or non-ASCII",
            "http://evil/x|not a path",
            "*|not a path",
            "''|not a path",
    })
    void refusesWhatIsAmbiguous(String target, String reason) {
        assertThat(RequestPath.normalize(target)).isInstanceOfSatisfying(RequestPath.Result.Refused.class,
                r -> assertThat(r.reason()).contains(reason));
    }
}
