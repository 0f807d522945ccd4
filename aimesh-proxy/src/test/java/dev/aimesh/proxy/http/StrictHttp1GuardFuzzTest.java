package dev.aimesh.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;

/**
 * Coverage-guided fuzzing of the strict HTTP/1.1 request-head guard, in a pipeline, with the input split
 * into three reads at places the input chooses (its first two bytes): nothing is thrown, bytes pass
 * unchanged up to the first fault, nothing passes after it, at most one fault is reported (with a code
 * and a message), and every buffer is released. Seeds in {@code StrictHttp1GuardFuzzTestInputs/}.
 */
class StrictHttp1GuardFuzzTest {
    private static final class Sink extends ChannelInboundHandlerAdapter {
        final ByteArrayOutputStream passed = new ByteArrayOutputStream();
        final List<MalformedRequest> faults = new ArrayList<>();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf buf = (ByteBuf) msg;
            byte[] bytes = new byte[buf.readableBytes()];
            buf.readBytes(bytes);
            passed.writeBytes(bytes);
            buf.release();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            faults.add((MalformedRequest) evt);
        }
    }

    @FuzzTest(maxDuration = "15s")
    void anyRequestStreamPassesUnchangedOrStopsAtItsFirstFault(byte[] input) {
        if (input.length < 2) {
            return;
        }
        byte[] stream = Arrays.copyOfRange(input, 2, input.length);
        int first = Math.min(stream.length, input[0] & 0xff);
        int second = Math.min(stream.length, first + (input[1] & 0xff));
        Sink sink = new Sink();
        EmbeddedChannel channel = new EmbeddedChannel(new StrictHttp1Guard(ProxyLimits.DEFAULTS), sink);
        List<ByteBuf> sent = new ArrayList<>();
        for (int[] part : new int[][] {{0, first}, {first, second}, {second, stream.length}}) {
            if (part[1] == part[0]) {
                continue; // an empty buffer is a shared constant, never released
            }
            ByteBuf buf = Unpooled.copiedBuffer(stream, part[0], part[1] - part[0]);
            sent.add(buf);
            channel.writeInbound(buf);
        }
        channel.finishAndReleaseAll();

        byte[] passed = sink.passed.toByteArray();
        assertThat(sink.faults).hasSizeLessThanOrEqualTo(1);
        if (sink.faults.isEmpty()) {
            assertThat(passed).isEqualTo(stream);
        } else {
            assertThat(Arrays.copyOf(stream, passed.length)).isEqualTo(passed);
            assertThat(sink.faults.get(0).code()).isNotBlank();
            assertThat(sink.faults.get(0).message()).isNotBlank();
        }
        assertThat(sent).allSatisfy(buf -> assertThat(buf.refCnt()).isZero());
    }
}
