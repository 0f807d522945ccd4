package dev.aimesh.proxy.http;

import java.util.ArrayList;
import java.util.List;
import io.netty.channel.embedded.EmbeddedChannel;
import dev.aimesh.core.authz.Authorizer;
import dev.aimesh.proxy.filter.HttpFilter;
import dev.aimesh.proxy.filter.TestExchanges;

/** Downstream pipelines in memory, built as the listeners build them, for tests of whole exchanges. */
final class TestDownstreams {
    private TestDownstreams() {}

    /**
     * An HTTP/1.1 connection's pipeline ({@link ServerPipelines#http1}) or an HTTP/2 stream's (its guard and exchange,
     * as {@link ServerPipelines#http2} gives each stream), whose exchanges go through {@code filters} to
     * {@code upstream}, leased as an HTTP/2 stream when {@code upstreamHttp2}.
     */
    static EmbeddedChannel open(boolean http2, EmbeddedChannel upstream, boolean upstreamHttp2, HttpFilter... filters) {
        var chain = TestExchanges.chain(TestExchanges.upstream(upstream, upstreamHttp2), filters);
        return TestExchanges.downstream(http2, TestExchanges.snapshot(TestExchanges.policy("v1", Authorizer.allowAll()), chain));
    }

    /** What {@code channel} wrote, in order. */
    static List<Object> outbound(EmbeddedChannel channel) {
        List<Object> out = new ArrayList<>();
        Object msg;
        while ((msg = channel.readOutbound()) != null) {
            out.add(msg);
        }
        return out;
    }
}
