package dev.aimesh.proxy.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * Sits between the HTTP/1.1 codec and the {@link ExchangeHandler}, so that nothing after it sees what it removes:
 * the {@code x-http2-*} headers that would steer Netty's HTTP/1 to HTTP/2 conversion ({@link HopByHop#stripInternal}),
 * and header names with an underscore (dropped, or the request refused, as {@link ProxyLimits#underscoreHeaders()}
 * says), in headers and trailers. It refuses a request whose destination is ambiguous (two Host headers, an absolute
 * URI whose authority differs from Host). A refusal marks the request's decoder result as failed, so the exchange
 * answers it and never routes it; this handler writes nothing itself. A request without a body goes on as one
 * {@link FullHttpRequest}. {@link Http2RequestChecks} does the same for HTTP/2.
 */
public final class RequestHeadChecksHandler extends ChannelInboundHandlerAdapter {
    private final ProxyLimits limits;
    /** An HTTP/1.1 request without a body, held until the decoder's end-of-message that follows it. */
    private HttpRequest bodiless;

    public RequestHeadChecksHandler(ProxyLimits limits) {
        this.limits = limits;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (bodiless != null) {
            HttpRequest request = bodiless;
            bodiless = null;
            if (msg instanceof LastHttpContent last && !last.content().isReadable() && last.trailingHeaders().isEmpty()) {
                last.release();
                ctx.fireChannelRead(whole(request));
                return;
            }
            ctx.fireChannelRead(request);
        }
        if (msg instanceof HttpRequest request && request.decoderResult().isSuccess()) {
            Exception refusal = check(request);
            if (refusal != null) {
                request.setDecoderResult(DecoderResult.failure(refusal));
            } else if (!(request instanceof FullHttpRequest) && !HttpUtil.isTransferEncodingChunked(request)
                    && HttpUtil.getContentLength(request, 0L) == 0) {
                bodiless = request; // the decoder's end-of-message follows at once: forwarded as one message
                return;
            }
        }
        if (msg instanceof LastHttpContent last && !last.trailingHeaders().isEmpty()) {
            HopByHop.stripInternal(last.trailingHeaders());
            dropUnderscores(last.trailingHeaders()); // the request is under way: too late to refuse it
        }
        ctx.fireChannelRead(msg);
    }

    /**
     * An HTTP/1.1 request without a body, as one message: the next hop then knows at once that none follows
     * (on HTTP/2, HEADERS with END_STREAM), and the model receives it without framing headers, never chunked.
     */
    private static FullHttpRequest whole(HttpRequest request) {
        FullHttpRequest full = new DefaultFullHttpRequest(request.protocolVersion(), request.method(), request.uri(),
                Unpooled.EMPTY_BUFFER, request.headers(), DefaultHttpHeadersFactory.trailersFactory().newHeaders());
        full.setDecoderResult(request.decoderResult());
        return full;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        bodiless = null; // holds no buffer
        ctx.fireChannelInactive();
    }

    /**
     * Why the request must be refused (the failure its decoder result will carry: a value, never thrown), or
     * null; removes what must not pass on the way.
     */
    private Exception check(HttpRequest request) {
        HttpHeaders headers = request.headers();
        HopByHop.stripInternal(headers);
        if (limits.underscoreHeaders() == ProxyLimits.UnderscoreHeaders.DROP) {
            dropUnderscores(headers);
        } else {
            String name = firstUnderscoreName(headers);
            if (name != null) {
                return refusal("the header name '" + StrictHttp1Guard.printable(name) + "' has an underscore (refused by this proxy's"
                        + " headers-with-underscores setting)");
            }
        }
        String host = checkHost(request);
        return host == null ? null : refusal(host);
    }

    private static Exception refusal(String message) {
        return new IllegalArgumentException(message);
    }

    private String checkHost(HttpRequest request) {
        List<String> hosts = request.headers().getAll(HttpHeaderNames.HOST);
        if (hosts.size() > 1) {
            return "more than one Host header"; // RFC 9112 3.2
        }
        String uri = request.uri();
        if (!hosts.isEmpty() && !uri.startsWith("/") && !uri.equals("*")) {
            String authority = authorityOf(uri);
            if (authority != null && !sameAuthority(authority, hosts.get(0))) {
                return "the Host header differs from the authority of the absolute request target";
            }
        }
        return null;
    }

    /** The authority of an absolute-form target ({@code http://host:port/path}), or null when it has none. */
    private static String authorityOf(String uri) {
        int scheme = uri.indexOf("://");
        if (scheme <= 0) {
            return null;
        }
        int start = scheme + 3;
        int end = start;
        while (end < uri.length() && "/?#".indexOf(uri.charAt(end)) < 0) {
            end++;
        }
        String authority = uri.substring(start, end);
        int at = authority.lastIndexOf('@');
        return at >= 0 ? authority.substring(at + 1) : authority;
    }

    private static final List<String> DEFAULT_PORTS = List.of(":80", ":443");

    private static boolean sameAuthority(String a, String b) {
        return withoutDefaultPort(a).equals(withoutDefaultPort(b));
    }

    private static String withoutDefaultPort(String authority) {
        String lower = authority.strip().toLowerCase(Locale.ROOT);
        for (String port : DEFAULT_PORTS) {
            if (lower.endsWith(port)) {
                return lower.substring(0, lower.length() - port.length());
            }
        }
        return lower;
    }

    private static String firstUnderscoreName(HttpHeaders headers) {
        for (var it = headers.iteratorCharSequence(); it.hasNext();) {
            CharSequence name = it.next().getKey();
            if (hasUnderscore(name)) {
                return name.toString();
            }
        }
        return null;
    }

    /** Removes every header whose name has an underscore. */
    private static void dropUnderscores(HttpHeaders headers) {
        List<CharSequence> names = null;
        for (var it = headers.iteratorCharSequence(); it.hasNext();) {
            CharSequence name = it.next().getKey();
            if (hasUnderscore(name)) {
                if (names == null) {
                    names = new ArrayList<>(2);
                }
                names.add(name);
            }
        }
        if (names != null) {
            names.forEach(headers::remove);
        }
    }

    static boolean hasUnderscore(CharSequence name) {
        for (int i = 0; i < name.length(); i++) {
            if (name.charAt(i) == '_') {
                return true;
            }
        }
        return false;
    }
}
