package dev.aimesh.proxy.tls;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BiConsumer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.SslClientHelloHandler;
import io.netty.util.concurrent.Future;

/**
 * Sits before the inbound's SslHandler and reads the ClientHello: a client that offers ALPN protocols of
 * which we serve none gets the fatal {@code no_application_protocol} alert (RFC 7301 §3.2) and is closed,
 * instead of being served HTTP/1.1 as if it had offered nothing (BoringSSL can only ignore the mismatch). A
 * client that offers no ALPN at all is served HTTP/1.1, as before. Removes itself once it has decided.
 */
public final class AlpnOfferCheck extends SslClientHelloHandler<List<String>> {
    private static final int EXTENSION_ALPN = 16;
    /** A plaintext TLS alert record: fatal (2), no_application_protocol (120); legal before the keys are set. */
    private static final byte[] NO_APPLICATION_PROTOCOL = {21, 3, 3, 0, 2, 2, 120};

    private final List<String> served;
    private final BiConsumer<ChannelHandlerContext, String> refused;
    private boolean closing;

    /** @param refused told (on the event loop) why a connection is refused, before it is closed */
    public AlpnOfferCheck(List<String> served, BiConsumer<ChannelHandlerContext, String> refused) {
        this.served = List.copyOf(served);
        this.refused = refused;
    }

    @Override
    protected Future<List<String>> lookup(ChannelHandlerContext ctx, ByteBuf clientHello) {
        return ctx.executor().newSucceededFuture(clientHello == null ? List.of() : offered(clientHello).orElse(List.of()));
    }

    @Override
    protected void onLookupComplete(ChannelHandlerContext ctx, Future<List<String>> future) {
        List<String> offered = future.getNow();
        if (closing) {
            return;
        }
        if (offered == null || offered.isEmpty() || offered.stream().anyMatch(served::contains)) {
            ctx.pipeline().remove(this);
            return;
        }
        closing = true;
        refused.accept(ctx, "no application protocol in common: the client offered " + offered + ", this proxy serves " + served);
        ctx.writeAndFlush(Unpooled.wrappedBuffer(NO_APPLICATION_PROTOCOL)).addListener(ChannelFutureListener.CLOSE);
    }

    /** The ALPN protocols a ClientHello body (from client_version on) offers; empty when it has no ALPN extension. */
    static Optional<List<String>> offered(ByteBuf hello) {
        int at = hello.readerIndex() + 34; // client_version, random
        int end = hello.writerIndex();
        try {
            at += 1 + hello.getUnsignedByte(at); // session id
            at += 2 + hello.getUnsignedShort(at); // cipher suites
            at += 1 + hello.getUnsignedByte(at); // compression methods
            int extensionsEnd = Math.min(end, at + 2 + hello.getUnsignedShort(at));
            at += 2;
            while (at + 4 <= extensionsEnd) {
                int type = hello.getUnsignedShort(at);
                int length = hello.getUnsignedShort(at + 2);
                at += 4;
                if (type == EXTENSION_ALPN) {
                    List<String> protocols = new ArrayList<>();
                    int listEnd = Math.min(at + length, at + 2 + hello.getUnsignedShort(at));
                    int p = at + 2;
                    while (p < listEnd) {
                        int n = hello.getUnsignedByte(p);
                        protocols.add(hello.toString(p + 1, Math.min(n, listEnd - p - 1), StandardCharsets.US_ASCII));
                        p += 1 + n;
                    }
                    return Optional.of(protocols);
                }
                at += length;
            }
        } catch (IndexOutOfBoundsException e) {
            // truncated: the SslHandler will refuse it with its own reason
        }
        return Optional.empty();
    }
}
