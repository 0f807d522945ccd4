package dev.aimesh.proxy.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import dev.aimesh.core.identity.SpiffeId;
import dev.aimesh.core.identity.TrustDomain;
import dev.aimesh.identity.ca.CaCredential;
import dev.aimesh.identity.ca.IssueDecision;
import dev.aimesh.identity.ca.RootCertificates;
import dev.aimesh.identity.ca.SvidIssuer;
import dev.aimesh.identity.x509.CertificateRequests;
import dev.aimesh.identity.x509.Keys;
import dev.aimesh.identity.x509.Pem;
import dev.aimesh.identity.x509.TrustBundle;
import dev.aimesh.identity.x509.X509Svid;

/**
 * The inbound server context as a real client nobody here wrote (openssl s_client) sees it, on BoringSSL
 * and on the JDK: acceptable CA names follow the bundle, sessions are never resumed, and a refused client
 * certificate gets the alert that names its problem.
 */
class MeshTlsTest {
    private static final TrustDomain TD = TrustDomain.parse("example.org");
    private static final SpiffeId SERVER = SpiffeId.forWorkload(TD, "models", "llm");
    private static final SpiffeId CLIENT = SpiffeId.forWorkload(TD, "apps", "chat");
    private static final CaCredential OLD_ROOT = RootCertificates.create(TD, Instant.now().minusSeconds(60), Duration.ofDays(1));
    private static final CaCredential NEW_ROOT = RootCertificates.create(TD, Instant.now().minusSeconds(60), Duration.ofDays(2));

    @TempDir
    Path tmp;
    private final MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final AtomicReference<TrustBundle> bundle = new AtomicReference<>(new TrustBundle(1, List.of(OLD_ROOT.root())));

    @AfterEach
    void stop() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    static X509Svid svid(CaCredential ca, SpiffeId id, Instant issuedAt, Duration lifetime) throws Exception {
        KeyPair keys = Keys.newP256();
        byte[] csr = CertificateRequests.forSpiffeId(keys, id).getEncoded();
        var issued = (IssueDecision.Issued) SvidIssuer.issue(new SvidIssuer.Request(csr, id, lifetime, issuedAt), ca);
        return new X509Svid(id, keys.getPrivate(), issued.chain());
    }

    /** A server that answers "hello" once the handshake completes, as the inbound's TLS layer would accept it. */
    private InetSocketAddress serve(MeshTls tls) {
        Channel server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(tls.newServerHandler(ch.alloc()), new ChannelInboundHandlerAdapter() {
                            @Override
                            public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
                                if (event instanceof SslHandshakeCompletionEvent done) {
                                    // as the inbound listener does: a resumed session is verified again
                                    if (done.isSuccess() && tls.recheck(ctx.pipeline().get(SslHandler.class).engine().getSession()).isEmpty()) {
                                        ctx.writeAndFlush(Unpooled.copiedBuffer("hello\n", StandardCharsets.US_ASCII))
                                                .addListener(ChannelFutureListener.CLOSE);
                                    } else {
                                        ctx.close();
                                    }
                                }
                            }

                            @Override
                            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                ctx.close();
                            }
                        });
                    }
                }).bind("127.0.0.1", 0).syncUninterruptibly().channel();
        return (InetSocketAddress) server.localAddress();
    }

    private MeshTls tls(SslProvider provider) throws Exception {
        X509Svid own = svid(OLD_ROOT, SERVER, Instant.now(), Duration.ofHours(1));
        return new MeshTls(() -> own, bundle::get, TD, InstantSource.system(), false, provider);
    }

    private Path[] files(X509Svid client) throws IOException {
        Path cert = Files.createTempFile(tmp, "cert", ".pem");
        Path key = Files.createTempFile(tmp, "key", ".pem");
        Files.writeString(cert, Pem.certificates(client.chain()));
        Files.writeString(key, Pem.privateKey(client.privateKey()));
        return new Path[] {cert, key};
    }

    private static String openssl(InetSocketAddress address, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + address.getPort(),
                "-tls1_3", "-ign_eof"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        var output = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "<" + e + ">";
            }
        });
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        return output.get(5, TimeUnit.SECONDS);
    }

    /** The CNs s_client lists under "Acceptable client certificate CA names". */
    private static List<String> caNames(String output) {
        int start = output.indexOf("Acceptable client certificate CA names\n");
        assertThat(start).as(output).isNotNegative();
        String section = output.substring(start).lines().skip(1).takeWhile(l -> l.startsWith("O = ")).collect(
                java.util.stream.Collectors.joining("\n"));
        return section.lines().map(l -> l.replaceAll(".*CN = ", "")).toList();
    }

    private static String cn(CaCredential root) {
        return root.root().getSubjectX500Principal().getName().replaceAll(".*CN=([^,]+).*", "$1");
    }

    @ParameterizedTest
    @EnumSource(value = SslProvider.class, names = {"OPENSSL", "JDK"})
    void theCertificateRequestListsEveryRootOfTheCurrentBundle(SslProvider provider) throws Exception {
        InetSocketAddress address = serve(tls(provider));
        assertThat(caNames(openssl(address))).containsExactly(cn(OLD_ROOT));
        bundle.set(new TrustBundle(2, List.of(OLD_ROOT.root(), NEW_ROOT.root())));
        assertThat(caNames(openssl(address))).containsExactlyInAnyOrder(cn(OLD_ROOT), cn(NEW_ROOT));
        bundle.set(new TrustBundle(3, List.of(NEW_ROOT.root())));
        assertThat(caNames(openssl(address))).containsExactly(cn(NEW_ROOT));

        // A client whose SVID comes from the root that just joined is served.
        Path[] client = files(svid(NEW_ROOT, CLIENT, Instant.now(), Duration.ofHours(1)));
        assertThat(openssl(address, "-cert", client[0].toString(), "-key", client[1].toString())).contains("hello");
    }

    @ParameterizedTest
    @EnumSource(value = SslProvider.class, names = {"OPENSSL", "JDK"})
    void aSessionIsNeverResumedSoAnExpiredCertificateCannotComeBack(SslProvider provider) throws Exception {
        InetSocketAddress address = serve(tls(provider));
        X509Svid shortLived = svid(OLD_ROOT, CLIENT, Instant.now(), Duration.ofSeconds(3));
        Path[] client = files(shortLived);
        Path session = tmp.resolve("session.pem");
        String first = openssl(address, "-cert", client[0].toString(), "-key", client[1].toString(), "-sess_out", session.toString());
        assertThat(first).contains("hello");
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> Instant.now().isAfter(shortLived.expiresAt().plusSeconds(1)));
        if (provider == SslProvider.OPENSSL) {
            // BoringSSL issued no ticket, so s_client had no session to keep; the next handshake is a full one,
            // and the trust manager refuses the certificate that has expired meanwhile
            assertThat(session).doesNotExist();
            assertThat(openssl(address, "-cert", client[0].toString(), "-key", client[1].toString()))
                    .contains("alert certificate expired").doesNotContain("hello");
        } else {
            // the JDK issues tickets: the resumed session is verified again once the handshake completes
            assertThat(session).exists();
            assertThat(openssl(address, "-cert", client[0].toString(), "-key", client[1].toString(), "-sess_in", session.toString()))
                    .doesNotContain("hello");
        }
    }

    @ParameterizedTest
    @EnumSource(value = SslProvider.class, names = {"OPENSSL"})
    void aRefusedClientCertificateGetsTheAlertThatNamesItsProblem(SslProvider provider) throws Exception {
        InetSocketAddress address = serve(tls(provider));
        Path[] expired = files(svid(OLD_ROOT, CLIENT, Instant.now().minus(Duration.ofHours(2)), Duration.ofHours(1)));
        assertThat(openssl(address, "-cert", expired[0].toString(), "-key", expired[1].toString()))
                .contains("alert certificate expired").doesNotContain("internal error");
        CaCredential stranger = RootCertificates.create(TD, Instant.now().minusSeconds(60), Duration.ofDays(1));
        Path[] unknown = files(svid(stranger, CLIENT, Instant.now(), Duration.ofHours(1)));
        assertThat(openssl(address, "-cert", unknown[0].toString(), "-key", unknown[1].toString()))
                .contains("alert unknown ca").doesNotContain("internal error");
    }
}
