package dev.aimesh.proxy.http;

import dev.aimesh.core.http.SkippedStreamIds;
import io.netty.handler.codec.http2.DefaultHttp2Connection;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2Stream;

/**
 * A downstream HTTP/2 connection's state that tells a stream ID the client skipped from one it used. Netty
 * treats every ID below the highest opened as "may have existed" and answers a HEADERS frame on it with
 * {@code RST_STREAM STREAM_CLOSED}; on a skipped ID that frame would open a stream out of order, which RFC 9113
 * 5.1.1 makes a connection error: reporting the ID as never used lets the codec find that ({@code GOAWAY
 * PROTOCOL_ERROR}).
 */
final class Http2ServerConnection extends DefaultHttp2Connection {
    private final SkippedStreamIds skipped = new SkippedStreamIds();

    Http2ServerConnection() {
        super(true);
        addListener(new Http2ConnectionAdapter() {
            @Override
            public void onStreamAdded(Http2Stream stream) {
                if (remote().isValidStreamId(stream.id())) {
                    skipped.opened(stream.id());
                }
            }
        });
    }

    @Override
    public boolean streamMayHaveExisted(int streamId) {
        return super.streamMayHaveExisted(streamId) && !(remote().isValidStreamId(streamId) && skipped.skipped(streamId));
    }
}
