package dev.aimesh.proxy.headers;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import org.junit.jupiter.api.Test;
import dev.aimesh.proxy.filter.RequestHead;
import dev.aimesh.proxy.http.HopByHop;

/** One view of a request head, whichever HTTP version carried it: edits reach the message itself. */
class HeaderViewsTest {
    private static void sameBehaviour(RequestHead head) {
        assertThat(head.method()).isEqualTo("POST");
        assertThat(head.authority()).isEqualTo("llm.models:8000");
        assertThat(head.path()).isEqualTo("/v1/chat?x=1");
        assertThat(head.get("Authorization")).as("names are case-insensitive").isEqualTo("Bearer t");
        assertThat(head.getAll("x-multi")).containsExactly("a", "b");
        assertThat(head.names()).as("no pseudo-headers").doesNotContain(":path", ":method").contains("authorization");
        head.set("X-Added", "1");
        head.add("x-added", "2");
        head.remove("x-multi");
        head.setPath("/v1/chat");
        head.setAuthority("elsewhere");
        assertThat(head.getAll("x-added")).containsExactly("1", "2");
        assertThat(head.contains("x-multi")).isFalse();
        assertThat(head.path()).isEqualTo("/v1/chat");
        assertThat(head.authority()).isEqualTo("elsewhere");
        assertThat(head.isEmpty()).isFalse();
    }

    @Test
    void http1() {
        var request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/v1/chat?x=1");
        request.headers().set("host", "llm.models:8000").set("authorization", "Bearer t").add("x-multi", "a").add("x-multi", "b");
        Http1RequestHead head = new Http1RequestHead(request, "https");
        assertThat(head.scheme()).isEqualTo("https");
        sameBehaviour(head);
        assertThat(request.uri()).isEqualTo("/v1/chat");
        assertThat(request.headers().get("host")).isEqualTo("elsewhere");
    }

    @Test
    void http2WithoutConversion() {
        Http2Headers headers = new DefaultHttp2Headers().method("POST").scheme("https").authority("llm.models:8000")
                .path("/v1/chat?x=1");
        headers.add("authorization", "Bearer t").add("x-multi", "a").add("x-multi", "b");
        Http2RequestHead head = new Http2RequestHead(headers);
        assertThat(head.scheme()).isEqualTo("https");
        sameBehaviour(head);
        assertThat(headers.path().toString()).isEqualTo("/v1/chat");
        assertThat(headers.authority().toString()).isEqualTo("elsewhere");
        assertThat(headers.get("x-added").toString()).as("stored lower case, as HTTP/2 requires").isEqualTo("1");
    }

    @Test
    void responsesHaveTheirStatus() {
        assertThat(new Http1ResponseHead(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CREATED)).status())
                .isEqualTo(201);
        assertThat(new Http2ResponseHead(new DefaultHttp2Headers().status("204")).status()).isEqualTo(204);
        assertThat(new Http2HeaderMap(new DefaultHttp2Headers().status("204")).isEmpty()).as("only a pseudo-header").isTrue();
    }

    @Test
    void hopByHopHeadersGoOnBothViews() {
        Http2Headers headers = new DefaultHttp2Headers().path("/");
        headers.add("connection", "x-secret").add("x-secret", "1").add("te", "gzip, trailers").add("keep-alive", "5")
                .add("x-kept", "1");
        HopByHop.strip(new Http2HeaderMap(headers));
        assertThat(new Http2HeaderMap(headers).names()).containsExactlyInAnyOrder("te", "x-kept");
        assertThat(headers.get("te").toString()).isEqualTo("trailers");
    }
}
