package dev.aimesh.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.Test;

class RequestHeadChecksHandlerTest {
    private static HttpRequest http1(String head, ProxyLimits limits) {
        EmbeddedChannel channel = new EmbeddedChannel(new HttpServerCodec(new HttpDecoderConfig()),
                new RequestHeadChecksHandler(limits));
        channel.writeInbound(Unpooled.copiedBuffer(head, StandardCharsets.ISO_8859_1));
        HttpRequest request = channel.readInbound();
        Object next;
        while ((next = channel.readInbound()) != null) {
            ReferenceCountUtil.release(next);
        }
        channel.finishAndReleaseAll();
        return request;
    }

    private static String refusal(HttpRequest request) {
        assertThat(request.decoderResult().isFailure()).as("refused").isTrue();
        String message = request.decoderResult().cause().getMessage();
        ReferenceCountUtil.release(request);
        return message;
    }

    @Test
    void aBodilessHttp1RequestPassesAsOneMessageWithoutFraming() {
        HttpRequest request = http1("GET /v1/models HTTP/1.1\r\nHost: llm\r\n\r\n", ProxyLimits.DEFAULTS);
        assertThat(request).isInstanceOf(FullHttpRequest.class);
        assertThat(request.decoderResult().isSuccess()).isTrue();
        assertThat(request.headers().names()).containsExactly("Host");
        ReferenceCountUtil.release(request);
        HttpRequest withBody = http1("POST /v1/chat HTTP/1.1\r\nHost: llm\r\nContent-Length: 2\r\n\r\nhi", ProxyLimits.DEFAULTS);
        assertThat(withBody).isNotInstanceOf(LastHttpContent.class);
        ReferenceCountUtil.release(withBody);
    }

    @Test
    void underscoreAndInternalHeadersAreDroppedOrTheRequestRefusedAsConfigured() {
        String head = "GET / HTTP/1.1\r\nHost: llm\r\nx_forwarded_client_cert: evil\r\nTransfer_Encoding: chunked\r\n"
                + "x-http2-scheme: https\r\nx-http2-path: /admin\r\nx-kept: 1\r\n\r\n";
        HttpRequest dropped = http1(head, ProxyLimits.DEFAULTS);
        assertThat(dropped.decoderResult().isSuccess()).isTrue();
        assertThat(dropped.headers().names()).containsExactlyInAnyOrder("Host", "x-kept");
        ReferenceCountUtil.release(dropped);
        assertThat(refusal(http1(head, ProxyLimits.builder().underscoreHeaders(ProxyLimits.UnderscoreHeaders.REFUSE).build())))
                .contains("'x_forwarded_client_cert' has an underscore");
    }

    @Test
    void anAmbiguousHostIsRefused() {
        assertThat(refusal(http1("GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n", ProxyLimits.DEFAULTS)))
                .contains("more than one Host header");
        assertThat(refusal(http1("GET http://a/x HTTP/1.1\r\nHost: b\r\n\r\n", ProxyLimits.DEFAULTS)))
                .contains("differs from the authority");
        HttpRequest same = http1("GET http://A:80/x HTTP/1.1\r\nHost: a\r\n\r\n", ProxyLimits.DEFAULTS);
        assertThat(same.decoderResult().isSuccess()).isTrue();
        ReferenceCountUtil.release(same);
    }
}
