package dev.aimesh.proxy.filter.dlp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import dev.aimesh.core.identity.SpiffeId;
import dev.aimesh.proxy.filter.TestBodyPipeline;

/**
 * The filter in a real exchange handler, on an HTTP/1.1 connection and on an HTTP/2 stream, in front of an HTTP/1.1
 * model: a prompt with a card never reaches the model, a masked prompt reaches it with its new length, and a
 * streamed or JSON response reaches a dev caller redacted and framed for its new length.
 */
class DataLossPreventionPipelineTest {
    private final DlpTestPolicies.Events events = new DlpTestPolicies.Events();
    private TestBodyPipeline pipeline;
    private EmbeddedChannel upstream;

    @AfterEach
    void close() {
        pipeline.close();
    }

    private void open(boolean overHttp2, String caller) {
        var filter = new DataLossPreventionFilter(new DataLossPreventionConfig(events));
        pipeline = new TestBodyPipeline(overHttp2, chain -> DlpTestPolicies.snapshot(DlpTestPolicies.rules(DlpTestPolicies.POLICY),
                chain.of(filter)), SpiffeId.parse("spiffe://cluster.local/ns/" + caller + "/sa/chat"));
        upstream = pipeline.upstream;
    }

    private void post(String body) {
        pipeline.post("/v1/chat/completions", body);
    }

    private Object[] forwarded() {
        return pipeline.forwarded();
    }

    private List<String> answered() {
        return pipeline.answered();
    }

    @ParameterizedTest(name = "HTTP/2: {0}")
    @ValueSource(booleans = {false, true})
    void aPromptWithACardIsRefusedAndNeverReachesTheModel(boolean overHttp2) {
        open(overHttp2, "apps");
        post("{\"messages\":[{\"role\":\"user\",\"content\":\"my card: 4111-1111-1111-1111\"}]}");
        assertThat(forwarded()[0]).isNull();
        List<String> answer = answered();
        assertThat(answer.get(0)).contains("403");
        assertThat(answer).contains("x-aimesh-reason: dlp-blocked");
        assertThat(answer.get(answer.size() - 1)).contains("payment-card").doesNotContain("4111");
    }

    @ParameterizedTest(name = "HTTP/2: {0}")
    @ValueSource(booleans = {false, true})
    void aMaskedPromptReachesTheModelWithItsNewLength(boolean overHttp2) {
        open(overHttp2, "apps");
        post("{\"prompt\":\"my ssn is 123-45-6789\"}");
        Object[] sent = forwarded();
        HttpRequest head = (HttpRequest) sent[0];
        assertThat(sent[1]).isEqualTo("{\"prompt\":\"my ssn is ***-**-6789\"}");
        assertThat(head.headers().get("content-length")).isEqualTo(Integer.toString(((String) sent[1]).length()));
        assertThat(head.headers().contains("accept-encoding")).isFalse();
    }

    @ParameterizedTest(name = "HTTP/2: {0}")
    @ValueSource(booleans = {false, true})
    void aStreamedResponseReachesADevCallerRedactedEventByEvent(boolean overHttp2) {
        open(overHttp2, "dev");
        post("{\"stream\":true}");
        forwarded();
        DefaultHttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        response.headers().set("content-type", "text/event-stream").set("transfer-encoding", "chunked");
        upstream.writeInbound(response,
                new DefaultHttpContent(Unpooled.copiedBuffer("data: {\"choices\":[{\"delta\":{\"content\":\"write ana\"}}]}\n\n",
                        StandardCharsets.UTF_8)),
                new DefaultHttpContent(Unpooled.copiedBuffer("data: {\"choices\":[{\"delta\":{\"content\":\"@example.com"
                        + " soon\"}}]}\n\n", StandardCharsets.UTF_8)),
                new DefaultLastHttpContent(Unpooled.copiedBuffer("data: [DONE]\n\n", StandardCharsets.UTF_8)));
        List<String> answer = answered();
        assertThat(answer.get(answer.size() - 1)).isEqualTo("data: {\"choices\":[{\"delta\":{\"content\":\"write \"}}]}\n\n"
                + "data: {\"choices\":[{\"delta\":{\"content\":\"[EMAIL] \"}}]}\n\n"
                + "data: {\"choices\":[{\"delta\":{\"content\":\"soon\"}}]}\n\ndata: [DONE]\n\n");
    }

    @ParameterizedTest(name = "HTTP/2: {0}")
    @ValueSource(booleans = {false, true})
    void aJsonResponseWithALengthReachesADevCallerRedactedAndFramedAnew(boolean overHttp2) {
        open(overHttp2, "dev");
        post("{}");
        forwarded();
        String body = "{\"choices\":[{\"message\":{\"content\":\"mail ana@example.com\"}}]}";
        DefaultHttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        response.headers().set("content-type", "application/json").set("content-length", body.length());
        upstream.writeInbound(response, new DefaultHttpContent(Unpooled.copiedBuffer(body.substring(0, 30), StandardCharsets.UTF_8)),
                new DefaultLastHttpContent(Unpooled.copiedBuffer(body.substring(30), StandardCharsets.UTF_8)));
        List<String> answer = answered();
        assertThat(answer).noneMatch(line -> line.startsWith("content-length: " + body.length()));
        assertThat(answer.get(answer.size() - 1)).isEqualTo("{\"choices\":[{\"message\":{\"content\":\"mail [EMAIL]\"}}]}");
        assertThat(events.reported).hasSize(1);
    }
}
