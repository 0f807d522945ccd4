package dev.aimesh.proxy.headers;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import dev.aimesh.proxy.filter.RequestHead;

/** An HTTP/1.x request (or one Netty's HTTP/2 codec made) as filters see it: edits go to the request itself. */
public final class Http1RequestHead extends Http1Headers implements RequestHead {
    private final HttpRequest request;
    private final String scheme;

    /** @param scheme {@code https} when the hop it came on is TLS, else {@code http} */
    public Http1RequestHead(HttpRequest request, String scheme) {
        super(request.headers());
        this.request = request;
        this.scheme = scheme;
    }

    @Override
    public String method() {
        return request.method().name();
    }

    @Override
    public String authority() {
        return headers.get(HttpHeaderNames.HOST);
    }

    @Override
    public void setAuthority(String authority) {
        headers.set(HttpHeaderNames.HOST, authority);
    }

    @Override
    public String scheme() {
        return scheme;
    }

    @Override
    public String path() {
        return request.uri();
    }

    @Override
    public void setPath(String path) {
        request.setUri(path);
    }
}
