package dev.aimesh.proxy.filter;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.util.ReferenceCountUtil;
import dev.aimesh.core.identity.SpiffeId;
import dev.aimesh.proxy.snapshot.ProxySnapshot;

/**
 * Bodies through a real exchange handler, between a client on an HTTP/1.1 connection or an HTTP/2 stream and an HTTP/1.1 model,
 * both embedded: what a filter's pipeline test sends and reads.
 */
public final class TestBodyPipeline implements AutoCloseable {
    public final EmbeddedChannel upstream = new EmbeddedChannel();
    public final EmbeddedChannel downstream;
    private final boolean http2;

    /** {@code chain} is given the pipeline's upstream and makes the snapshot the exchanges run under. */
    public TestBodyPipeline(boolean http2, java.util.function.Function<ChainOf, ProxySnapshot> snapshot, SpiffeId caller) {
        this.http2 = http2;
        this.downstream = TestExchanges.downstream(http2, snapshot.apply(filters -> TestExchanges.chain(
                TestExchanges.upstream(upstream), filters)));
        downstream.attr(PeerIdentity.KEY).set(new PeerIdentity(caller, ""));
    }

    /** Makes the chain of the given filters, forwarding to this pipeline's model. */
    @FunctionalInterface
    public interface ChainOf {
        FilterChain of(HttpFilter... filters);
    }

    /** A JSON POST of {@code body} to {@code path}, whole. */
    public void post(String path, String body) {
        if (http2) {
            downstream.writeInbound(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().method("POST").path(path)
                    .scheme("https").authority("sentiment.models").add("content-type", "application/json").add("accept-encoding", "gzip")
                    .add("content-length", Integer.toString(body.getBytes(StandardCharsets.UTF_8).length)), false),
                    new DefaultHttp2DataFrame(Unpooled.copiedBuffer(body, StandardCharsets.UTF_8), true));
        } else {
            downstream.writeInbound(Unpooled.copiedBuffer("POST " + path + " HTTP/1.1\r\nHost: sentiment.models\r\n"
                    + "Content-Type: application/json\r\nAccept-Encoding: gzip\r\nContent-Length: "
                    + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body, StandardCharsets.UTF_8));
        }
    }

    /** What the model got: its head (null when nothing came) and its body as text. */
    public Object[] forwarded() {
        HttpRequest head = null;
        StringBuilder body = new StringBuilder();
        Object msg;
        while ((msg = upstream.readOutbound()) != null) {
            if (msg instanceof HttpRequest r) {
                head = r;
            }
            if (msg instanceof HttpContent c) {
                body.append(c.content().toString(StandardCharsets.UTF_8));
            }
            ReferenceCountUtil.release(msg);
        }
        return new Object[] {head, body.toString()};
    }

    /** What the client got: the head's fields ({@code status} first, lower case on HTTP/1.1) and the body, as text. */
    public List<String> answered() {
        List<String> head = new ArrayList<>();
        StringBuilder body = new StringBuilder();
        ByteBuf raw = Unpooled.buffer();
        Object msg;
        while ((msg = downstream.readOutbound()) != null) {
            if (msg instanceof Http2HeadersFrame h && head.isEmpty()) {
                h.headers().forEach(e -> head.add(e.getKey() + ": " + e.getValue()));
            } else if (msg instanceof Http2DataFrame d) {
                body.append(d.content().toString(StandardCharsets.UTF_8));
            } else if (msg instanceof ByteBuf b) {
                raw.writeBytes(b);
            }
            ReferenceCountUtil.release(msg);
        }
        if (!http2 && raw.isReadable()) {
            String text = raw.toString(StandardCharsets.UTF_8);
            int end = text.indexOf("\r\n\r\n");
            head.addAll(List.of(text.substring(0, end).toLowerCase(Locale.ROOT).split("\r\n")));
            body.append(dechunked(text.substring(end + 4), head));
        }
        raw.release();
        head.add(body.toString());
        return head;
    }

    /** The body of what {@link #answered()} read: its last item. */
    public static String body(List<String> answered) {
        return answered.get(answered.size() - 1);
    }

    private static String dechunked(String body, List<String> head) {
        if (!head.contains("transfer-encoding: chunked")) {
            return body;
        }
        StringBuilder out = new StringBuilder();
        int at = 0;
        while (true) {
            int eol = body.indexOf("\r\n", at);
            if (eol < 0) {
                return out.append("<unterminated>").toString();
            }
            int size = Integer.parseInt(body.substring(at, eol), 16);
            if (size == 0) {
                return out.toString();
            }
            out.append(body, eol + 2, eol + 2 + size);
            at = eol + 2 + size + 2;
        }
    }

    @Override
    public void close() {
        downstream.finishAndReleaseAll();
        upstream.finishAndReleaseAll();
    }
}
