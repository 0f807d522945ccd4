package dev.aimesh.proxy.filter.dlp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import dev.aimesh.core.audit.SecurityEvent;
import dev.aimesh.core.dlp.DlpRules;
import dev.aimesh.core.identity.SpiffeId;
import dev.aimesh.proxy.filter.ExchangeContext;
import dev.aimesh.proxy.filter.FilterChain;
import dev.aimesh.proxy.filter.FilterDecision;
import dev.aimesh.proxy.filter.PeerIdentity;
import dev.aimesh.proxy.filter.TestExchanges;
import dev.aimesh.proxy.filter.common.SecurityEventSink;
import dev.aimesh.proxy.headers.Http1ResponseHead;
import dev.aimesh.proxy.snapshot.ProxySnapshot;

/** The filter's hooks one by one: what each decides for prompts and responses, and what it reports. */
class DataLossPreventionFilterTest {
    private static final SpiffeId DEV = SpiffeId.parse("spiffe://cluster.local/ns/dev/sa/chat");
    private static final SpiffeId PROD = SpiffeId.parse("spiffe://cluster.local/ns/apps/sa/chat");
    private final DlpTestPolicies.Events events = new DlpTestPolicies.Events();
    private final DataLossPreventionFilter filter = new DataLossPreventionFilter(new DataLossPreventionConfig(events));
    private final DlpRules rules = DlpTestPolicies.rules(DlpTestPolicies.POLICY);
    private final ProxySnapshot snapshot = DlpTestPolicies.snapshot(rules,
            new FilterChain(List.of(filter), (x, h) -> new FilterDecision.Respond(500, "unused", "unused"), SecurityEventSink.NONE));
    private final EmbeddedChannel downstream = new EmbeddedChannel();

    @AfterEach
    void close() {
        downstream.finishAndReleaseAll();
    }

    private static HttpRequest post(String contentType) {
        HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/v1/chat/completions");
        request.headers().set("content-type", contentType).set("accept-encoding", "gzip, br");
        return request;
    }

    private ExchangeContext exchange(HttpRequest request, SpiffeId caller) {
        if (caller != null) {
            downstream.attr(PeerIdentity.KEY).set(new PeerIdentity(caller, ""));
        }
        return TestExchanges.exchange(snapshot, downstream, request, true);
    }

    private FilterDecision held(ExchangeContext exchange, HttpRequest request, String body, boolean complete) {
        ByteBuf bytes = Unpooled.copiedBuffer(body, StandardCharsets.UTF_8);
        try {
            return filter.onHeldRequestBody(exchange, TestExchanges.head(request), bytes, complete);
        } finally {
            bytes.release();
        }
    }

    private static String text(FilterDecision decision) {
        ByteBuf chunk = ((FilterDecision.ReplaceChunk) decision).chunk();
        String text = chunk.toString(StandardCharsets.UTF_8);
        chunk.release();
        return text;
    }

    @Test
    void aPromptIsHeldWholeUpToTheCapAndACardInItIsRefusedAndAudited() {
        HttpRequest request = post("application/json");
        ExchangeContext exchange = exchange(request, PROD);
        assertThat(filter.onRequestHeaders(exchange, TestExchanges.head(request)))
                .isEqualTo(new FilterDecision.Hold(256, FilterDecision.OverCap.CONTINUE_WITHOUT));
        FilterDecision decision = held(exchange, request, "{\"messages\":[{\"content\":\"pay with 4111 1111 1111 1111\"}]}", true);
        assertThat(decision).isEqualTo(new FilterDecision.Respond(403, "dlp-blocked",
                "the request contains payment-card data, which policy models/sentiment#no-cards blocks"));
        SecurityEvent event = events.reported.get(0);
        assertThat(event.type()).isEqualTo(SecurityEvent.Type.DLP_BLOCKED);
        assertThat(event.field(SecurityEvent.Field.DETECTOR)).contains("payment-card");
        assertThat(event.field(SecurityEvent.Field.DIRECTION)).contains("request");
        assertThat(event.field(SecurityEvent.Field.POLICY)).contains("models/sentiment");
        assertThat(event.field(SecurityEvent.Field.RULE)).contains("no-cards");
        assertThat(event.field(SecurityEvent.Field.LOCATION)).contains("34-53");
        assertThat(event.field(SecurityEvent.Field.VALUE_HASH).orElseThrow()).matches("sha256:[0-9a-f]{16}");
        assertThat(event.fields().values()).as("never the value").noneMatch(v -> v.contains("4111"));
    }

    @Test
    void aPromptWithAValueToMaskGoesOnMaskedAndItsJsonStaysValid() {
        HttpRequest request = post("application/json");
        ExchangeContext exchange = exchange(request, PROD);
        filter.onRequestHeaders(exchange, TestExchanges.head(request));
        assertThat(text(held(exchange, request, "{\"prompt\":\"ssn 123-45-6789\"}", true)))
                .isEqualTo("{\"prompt\":\"ssn ***-**-6789\"}");
        assertThat(events.reported).extracting(SecurityEvent::type).containsExactly(SecurityEvent.Type.DLP_REDACTED);
    }

    @Test
    void aPromptOverTheCapIsRefusedAndACompressedOneCannotBeRead() {
        HttpRequest request = post("text/plain");
        ExchangeContext exchange = exchange(request, PROD);
        filter.onRequestHeaders(exchange, TestExchanges.head(request));
        FilterDecision over = held(exchange, request, "x".repeat(256), false);
        assertThat(((FilterDecision.Respond) over).status()).isEqualTo(413);
        assertThat(((FilterDecision.Respond) over).code()).isEqualTo("dlp-body-too-large");

        HttpRequest gzipped = post("application/json");
        gzipped.headers().set("content-encoding", "gzip");
        FilterDecision refused = filter.onRequestHeaders(exchange(gzipped, PROD), TestExchanges.head(gzipped));
        assertThat(((FilterDecision.Respond) refused).status()).isEqualTo(415);
        assertThat(events.reported).extracting(SecurityEvent::type)
                .containsExactly(SecurityEvent.Type.DLP_BLOCKED, SecurityEvent.Type.DLP_BLOCKED);
    }

    @Test
    void overTheCapAPassPolicyLetsTheBodyGoOnWithAnEventButStillBlocksWhatItSaw() {
        DlpRules passing = DlpTestPolicies.rules(DlpTestPolicies.POLICY.replace("{maxBodyBytes: 256}",
                "{maxBodyBytes: 256, overLimit: pass}"));
        ProxySnapshot lenient = DlpTestPolicies.snapshot(passing, snapshot.inbound());
        HttpRequest request = post("text/plain");
        ExchangeContext exchange = TestExchanges.exchange(lenient, downstream, request, true);
        filter.onRequestHeaders(exchange, TestExchanges.head(request));
        assertThat(held(exchange, request, "x".repeat(256), false)).isSameAs(FilterDecision.CONTINUE);
        assertThat(events.reported.get(0).type()).isEqualTo(SecurityEvent.Type.DLP_UNINSPECTED);
        assertThat(held(exchange, request, "card 4111111111111111 " + "x".repeat(200), false))
                .isInstanceOf(FilterDecision.Respond.class);
    }

    @Test
    void responsesAreRedactedOnlyForTheCallersTheRuleNames() {
        HttpRequest request = post("application/json");
        ExchangeContext prod = exchange(request, PROD);
        filter.onRequestHeaders(prod, TestExchanges.head(request));
        assertThat(filter.onResponseHeaders(prod, head("application/json", "40"))).isSameAs(FilterDecision.CONTINUE);
        ByteBuf mail = Unpooled.copiedBuffer("{\"content\":\"ana@example.com\"}", StandardCharsets.UTF_8);
        assertThat(text(filter.onResponseBody(prod, mail, true)))
                .as("a production caller: the SSN rule inspects its responses, the e-mail rule is not for it")
                .isEqualTo("{\"content\":\"ana@example.com\"}");
        mail.release();

        HttpRequest again = post("application/json");
        ExchangeContext dev = exchange(again, DEV);
        filter.onRequestHeaders(dev, TestExchanges.head(again));
        assertThat(again.headers().contains("accept-encoding")).as("the model is asked to answer uncompressed").isFalse();
        Http1ResponseHead head = head("application/json", "44");
        filter.onResponseHeaders(dev, head);
        assertThat(head.contains("content-length")).as("a redaction changes the length").isFalse();
        ByteBuf first = Unpooled.copiedBuffer("{\"content\":\"write to ana@exa", StandardCharsets.UTF_8);
        assertThat(text(filter.onResponseBody(dev, first, false))).as("a JSON body is redacted whole, at its end").isEmpty();
        ByteBuf last = Unpooled.copiedBuffer("mple.com\"}", StandardCharsets.UTF_8);
        assertThat(text(filter.onResponseBody(dev, last, true))).isEqualTo("{\"content\":\"write to [EMAIL]\"}");
        first.release();
        last.release();
        assertThat(events.reported).extracting(SecurityEvent::type).containsExactly(SecurityEvent.Type.DLP_REDACTED);
        assertThat(events.reported.get(0).field(SecurityEvent.Field.CALLER)).contains(DEV.toString());
    }

    @Test
    void anEventStreamIsRedactedEventByEvent() {
        HttpRequest request = post("application/json");
        ExchangeContext dev = exchange(request, DEV);
        filter.onRequestHeaders(dev, TestExchanges.head(request));
        filter.onResponseHeaders(dev, head("text/event-stream", null));
        ByteBuf a = Unpooled.copiedBuffer("data: {\"delta\":{\"content\":\"mail ana@\"}}\n\n", StandardCharsets.UTF_8);
        ByteBuf b = Unpooled.copiedBuffer("data: {\"delta\":{\"content\":\"example.com now\"}}\n\ndata: [DONE]\n\n",
                StandardCharsets.UTF_8);
        assertThat(text(filter.onResponseBody(dev, a, false))).isEqualTo("data: {\"delta\":{\"content\":\"mail \"}}\n\n");
        assertThat(text(filter.onResponseBody(dev, b, true))).isEqualTo("data: {\"delta\":{\"content\":\"[EMAIL] \"}}\n\n"
                + "data: {\"delta\":{\"content\":\"now\"}}\n\ndata: [DONE]\n\n");
        a.release();
        b.release();
    }

    @Test
    void aBlockInAPlainTextStreamCutsTheExchangeAfterWhatCameBefore() {
        DlpRules blockResponses = DlpTestPolicies.rules(DlpTestPolicies.POLICY.replace("direction: request, ", ""));
        ProxySnapshot strict = DlpTestPolicies.snapshot(blockResponses, snapshot.inbound());
        HttpRequest request = post("text/plain");
        ExchangeContext exchange = TestExchanges.exchange(strict, downstream, request, false);
        filter.onRequestHeaders(exchange, TestExchanges.head(request));
        filter.onResponseHeaders(exchange, head("text/plain", null));
        ByteBuf chunk = Unpooled.copiedBuffer("your card 4111 1111 1111 1111 is", StandardCharsets.UTF_8);
        FilterDecision decision = filter.onResponseBody(exchange, chunk, false);
        chunk.release();
        assertThat(decision).isInstanceOf(FilterDecision.Respond.class);
        assertThat(((FilterDecision.Respond) decision).code()).isEqualTo("dlp-blocked");
        assertThat(events.reported).extracting(SecurityEvent::type).containsExactly(SecurityEvent.Type.DLP_BLOCKED);
    }

    @Test
    void binaryResponsesPassWithAnEventAndACompressedOneIsRefusedBeforeItStarts() {
        HttpRequest request = post("application/json");
        ExchangeContext dev = exchange(request, DEV);
        filter.onRequestHeaders(dev, TestExchanges.head(request));
        assertThat(filter.onResponseHeaders(dev, head("image/png", "10"))).isSameAs(FilterDecision.CONTINUE);
        assertThat(events.reported.get(0).type()).isEqualTo(SecurityEvent.Type.DLP_UNINSPECTED);

        ExchangeContext again = exchange(post("application/json"), DEV);
        filter.onRequestHeaders(again, TestExchanges.head(post("application/json")));
        Http1ResponseHead gzipped = head("application/json", "10");
        gzipped.set("content-encoding", "gzip");
        FilterDecision refused = filter.onResponseHeaders(again, gzipped);
        assertThat(((FilterDecision.Respond) refused).code()).isEqualTo("dlp-encoded-response");
    }

    @Test
    void withoutARuleForTheCallerTheFilterKeepsNoState() {
        DlpRules responsesOnlyForDev = DlpTestPolicies.rules("""
                apiVersion: aimesh.dev/v1alpha1
                kind: DataLossPreventionPolicy
                metadata: {name: dev, namespace: models}
                spec:
                  rules: [{detectors: [email], action: redact, callers: {namespaces: [dev]}}]
                """);
        ProxySnapshot only = DlpTestPolicies.snapshot(responsesOnlyForDev, snapshot.inbound());
        HttpRequest request = post("application/json");
        downstream.attr(PeerIdentity.KEY).set(new PeerIdentity(PROD, ""));
        ExchangeContext exchange = TestExchanges.exchange(only, downstream, request, true);
        assertThat(filter.onRequestHeaders(exchange, TestExchanges.head(request))).isSameAs(FilterDecision.CONTINUE);
        assertThat(exchange.state()).isNull();
        assertThat(request.headers().contains("accept-encoding")).isTrue();
        assertThat(filter.onResponseHeaders(exchange, head("application/json", "2"))).isSameAs(FilterDecision.CONTINUE);
        assertThat(Optional.ofNullable(exchange.state())).isEmpty();
    }

    private static Http1ResponseHead head(String contentType, String length) {
        DefaultHttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        response.headers().set("content-type", contentType);
        if (length != null) {
            response.headers().set("content-length", length);
        }
        return new Http1ResponseHead(response);
    }
}
