package dev.aimesh.proxy.headers;

import io.netty.handler.codec.http.HttpResponse;
import dev.aimesh.proxy.filter.ResponseHead;

/** An HTTP/1.x response head (or one Netty's HTTP/2 codec made) as filters see it. */
public final class Http1ResponseHead extends Http1Headers implements ResponseHead {
    private final HttpResponse response;

    public Http1ResponseHead(HttpResponse response) {
        super(response.headers());
        this.response = response;
    }

    @Override
    public int status() {
        return response.status().code();
    }
}
