package dev.aimesh.proxy.headers;

import io.netty.handler.codec.http2.Http2Headers;
import dev.aimesh.proxy.filter.ResponseHead;

/** An HTTP/2 response's HEADERS as filters see them; {@code :status} is the status. */
public final class Http2ResponseHead extends Http2HeaderMap implements ResponseHead {
    public Http2ResponseHead(Http2Headers headers) {
        super(headers);
    }

    @Override
    public int status() {
        CharSequence status = headers.status();
        return status == null ? 0 : Integer.parseInt(status.toString());
    }
}
