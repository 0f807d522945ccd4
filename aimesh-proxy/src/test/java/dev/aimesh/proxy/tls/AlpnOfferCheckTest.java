package dev.aimesh.proxy.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

/** The ClientHello's ALPN offer decides: none in common is refused with the alert, anything else goes on. */
class AlpnOfferCheckTest {
    private final List<String> refusals = new ArrayList<>();

    /** A real TLS 1.3 ClientHello record, as the JDK writes it, offering {@code protocols} (none: no extension). */
    private static ByteBuf clientHello(String... protocols) throws Exception {
        SSLEngine engine = SSLContext.getDefault().createSSLEngine("model", 443);
        engine.setUseClientMode(true);
        SSLParameters parameters = engine.getSSLParameters();
        parameters.setProtocols(new String[] {"TLSv1.3"});
        if (protocols.length > 0) {
            parameters.setApplicationProtocols(protocols);
        }
        engine.setSSLParameters(parameters);
        ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        engine.wrap(ByteBuffer.allocate(0), out);
        out.flip();
        return Unpooled.wrappedBuffer(out);
    }

    private EmbeddedChannel channel() {
        return new EmbeddedChannel(new AlpnOfferCheck(MeshTls.SERVED_PROTOCOLS, (ctx, reason) -> refusals.add(reason)));
    }

    @Test
    void anOfferWithNoServedProtocolGetsNoApplicationProtocolAndIsClosed() throws Exception {
        EmbeddedChannel channel = channel();
        channel.writeInbound(clientHello("foo", "bar"));
        ByteBuf alert = channel.readOutbound();
        assertThat(ByteBufUtil.hexDump(alert)).isEqualTo("15030300020278");
        alert.release();
        assertThat(channel.isOpen()).isFalse();
        assertThat(refusals).containsExactly(
                "no application protocol in common: the client offered [foo, bar], this proxy serves [h2, http/1.1]");
        assertThat((Object) channel.readInbound()).isNull();
        channel.finishAndReleaseAll();
    }

    @Test
    void anOfferWithAServedProtocolOrNoOfferGoesOnUntouched() throws Exception {
        for (ByteBuf hello : List.of(clientHello("foo", "http/1.1"), clientHello("h2"), clientHello())) {
            EmbeddedChannel channel = channel();
            int size = hello.readableBytes();
            channel.writeInbound(hello);
            ByteBuf passed = channel.readInbound();
            assertThat(passed.readableBytes()).isEqualTo(size);
            passed.release();
            assertThat(channel.pipeline().get(AlpnOfferCheck.class)).isNull();
            assertThat(channel.isOpen()).isTrue();
            channel.finishAndReleaseAll();
        }
        assertThat(refusals).isEmpty();
    }
}
