package dev.aimesh.proxy.headers;

import io.netty.handler.codec.http2.Http2Headers;
import dev.aimesh.proxy.filter.RequestHead;

/** An HTTP/2 request's HEADERS as filters see them: the pseudo-headers are the method, authority, scheme and path. */
public final class Http2RequestHead extends Http2HeaderMap implements RequestHead {
    public Http2RequestHead(Http2Headers headers) {
        super(headers);
    }

    private static String text(CharSequence value) {
        return value == null ? null : value.toString();
    }

    @Override
    public String method() {
        return text(headers.method());
    }

    @Override
    public String authority() {
        return text(headers.authority());
    }

    @Override
    public void setAuthority(String authority) {
        headers.authority(authority);
    }

    @Override
    public String scheme() {
        return text(headers.scheme());
    }

    @Override
    public String path() {
        return text(headers.path());
    }

    @Override
    public void setPath(String path) {
        headers.path(path);
    }
}
