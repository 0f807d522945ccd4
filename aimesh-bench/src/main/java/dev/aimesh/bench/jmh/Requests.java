package dev.aimesh.bench.jmh;

import java.nio.charset.StandardCharsets;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;

/** One realistic chat-completion request (11 header fields, a small JSON body) in the forms the proxy sees. */
final class Requests {
    static final String BODY = "{\"model\":\"llm\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello there\"}],\"stream\":true}";
    static final String[][] FIELDS = {
            {"Host", "llm.models.svc.cluster.local"},
            {"User-Agent", "python-httpx/0.27.0"},
            {"Accept", "application/json"},
            {"Accept-Encoding", "gzip, deflate"},
            {"Content-Type", "application/json"},
            {"Content-Length", Integer.toString(BODY.length())},
            {"Authorization", "Bearer sk-bench-0123456789abcdef0123456789abcdef"},
            {"Connection", "keep-alive"},
            {"X-Request-Id", "6f1c2d0e-8a4b-4f5e-9c3d-2b1a0f9e8d7c"},
            {"Traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"},
            {"X-Forwarded-Client-Cert", "By=spiffe://evil/x;URI=spiffe://evil/spoofed"},
    };

    private Requests() {}

    /**
     * The request as it arrives on an HTTP/1.1 connection, head and body in one read. Pass a
     * {@code retainedDuplicate()} per operation; the consumer releases it, so refCnt stays 1 if nothing leaks.
     */
    static ByteBuf http1Bytes() {
        StringBuilder s = new StringBuilder("POST /v1/chat/completions HTTP/1.1\r\n");
        for (String[] f : FIELDS) {
            s.append(f[0]).append(": ").append(f[1]).append("\r\n");
        }
        s.append("\r\n").append(BODY);
        byte[] bytes = s.toString().getBytes(StandardCharsets.US_ASCII);
        return Unpooled.directBuffer(bytes.length).writeBytes(bytes);
    }

    /** The header fields as the HTTP/1.1 decoder builds them (validating DefaultHttpHeaders). */
    static HttpHeaders http1Headers() {
        HttpHeaders headers = DefaultHttpHeadersFactory.headersFactory().newHeaders();
        for (String[] f : FIELDS) {
            headers.add(f[0], f[1]);
        }
        return headers;
    }

    /** The same request as an HTTP/2 HEADERS frame: pseudo-headers, lower-case names, no connection fields. */
    static Http2Headers http2Headers() {
        Http2Headers headers = new DefaultHttp2Headers().method("POST").path("/v1/chat/completions").scheme("https")
                .authority(FIELDS[0][1]);
        for (String[] f : FIELDS) {
            String name = f[0].toLowerCase(java.util.Locale.ROOT);
            if (!name.equals("host") && !name.equals("connection")) {
                headers.add(name, f[1]);
            }
        }
        return headers;
    }

    /** Releases a template buffer at tear-down, failing if an operation kept or over-released its duplicate. */
    static void releaseTemplate(ByteBuf template) {
        if (template.refCnt() != 1) {
            throw new IllegalStateException("a benchmark leaked or over-released its buffer: refCnt " + template.refCnt());
        }
        template.release();
    }
}
