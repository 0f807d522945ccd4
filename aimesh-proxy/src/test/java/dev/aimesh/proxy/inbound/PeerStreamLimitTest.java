package dev.aimesh.proxy.inbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import dev.aimesh.core.audit.SecurityEvent;
import dev.aimesh.core.identity.SpiffeId;
import dev.aimesh.core.identity.TrustDomain;
import dev.aimesh.identity.ca.CaCredential;
import dev.aimesh.identity.ca.IssueDecision;
import dev.aimesh.identity.ca.RootCertificates;
import dev.aimesh.identity.ca.SvidIssuer;
import dev.aimesh.identity.tls.PeerPolicy;
import dev.aimesh.identity.tls.SpiffeTrustManager;
import dev.aimesh.identity.tls.SvidKeyManager;
import dev.aimesh.identity.x509.CertificateRequests;
import dev.aimesh.identity.x509.Keys;
import dev.aimesh.identity.x509.TrustBundle;
import dev.aimesh.identity.x509.X509Svid;
import dev.aimesh.proxy.filter.netpol.ConnectionAdmission;
import dev.aimesh.proxy.http.ProxyLimits;
import dev.aimesh.proxy.filter.ChainStep;
import dev.aimesh.proxy.filter.FilterChain;
import dev.aimesh.proxy.filter.common.SecurityEventSink;
import dev.aimesh.proxy.filter.TestExchanges;
import dev.aimesh.proxy.snapshot.SnapshotHolder;
import dev.aimesh.core.authz.Authorizer;
import dev.aimesh.proxy.filter.FilterDecision;
import dev.aimesh.proxy.http.UpstreamConnector;
import dev.aimesh.proxy.http.UpstreamLease;
import dev.aimesh.proxy.net.EventLoops;
import dev.aimesh.proxy.net.TrafficCounters;
import dev.aimesh.proxy.tls.MeshTls;

/**
 * The inbound listener over real TLS sockets bounds the streams one verified SPIFFE ID holds across all its
 * connections, HTTP/2 streams and HTTP/1.1 exchanges together: past the limit a stream is reset
 * {@code REFUSED_STREAM} and a request answered 503, while another identity still gets through; and every way a
 * stream can end gives its slot back, so a caller is never locked out by slots it no longer holds.
 */
class PeerStreamLimitTest {
    private static final TrustDomain TD = TrustDomain.parse("example.org");
    private static final SpiffeId SERVER = SpiffeId.forWorkload(TD, "models", "llm");
    private static final SpiffeId GREEDY = SpiffeId.forWorkload(TD, "apps", "greedy");
    private static final SpiffeId OTHER = SpiffeId.forWorkload(TD, "apps", "other");
    private static final CaCredential ROOT = RootCertificates.create(TD, Instant.now().minusSeconds(60), Duration.ofDays(1));
    private static final TrustBundle BUNDLE = new TrustBundle(1, List.of(ROOT.root()));
    private static final int LIMIT = 4;
    private static final int HEADERS = 0x1, RST_STREAM = 0x3, SETTINGS = 0x4, GOAWAY = 0x7;
    private static final int END_STREAM = 0x1, END_HEADERS = 0x4, ACK = 0x1;
    private static final int REFUSED_STREAM = 0x7, CANCEL = 0x8;

    private final EventLoops loops = new EventLoops(2, "peer-streams-test");
    private final List<AutoCloseable> clients = new CopyOnWriteArrayList<>();
    /** Requests the router saw, by caller. */
    private final Map<SpiffeId, AtomicInteger> routed = new ConcurrentHashMap<>();
    /** The leases of requests that wait for a silent upstream, to fail them when a test says so. */
    private final List<Promise<UpstreamLease>> waiting = new CopyOnWriteArrayList<>();
    private final List<SecurityEvent.Type> eventTypes = new CopyOnWriteArrayList<>();
    private final List<Map<SecurityEvent.Field, String>> events = new CopyOnWriteArrayList<>();
    private InboundListener inbound;

    /** Never answers: a request routed to it holds its stream until the stream ends some other way. */
    private final UpstreamConnector silent = new UpstreamConnector() {
        @Override
        public Future<UpstreamLease> acquire(EventLoop loop) {
            Promise<UpstreamLease> lease = loop.newPromise();
            waiting.add(lease);
            return lease;
        }

        @Override
        public String describe() {
            return "a silent upstream";
        }

        @Override
        public TrafficCounters counters() {
            return new TrafficCounters();
        }
    };

    @BeforeEach
    void start() throws Exception {
        X509Svid own = svid(SERVER);
        MeshTls tls = new MeshTls(() -> own, () -> BUNDLE, TD, InstantSource.system(), false);
        SnapshotHolder.Source source = TestExchanges.source(TestExchanges.snapshot(
                TestExchanges.policy("1", Authorizer.allowAll()), new FilterChain(List.of(), (exchange, head) -> {
                    routed.computeIfAbsent(exchange.peer().id(), id -> new AtomicInteger()).incrementAndGet();
                    return head.path().equals("/hold") ? new ChainStep.Forward(silent)
                            : new FilterDecision.Respond(403, "denied", "denied");
                }, SecurityEventSink.NONE)));
        inbound = new InboundListener(new InetSocketAddress("127.0.0.1", 0), loops, tls, SERVER, source,
                ProxyLimits.builder().maxStreamsPerPeer(LIMIT).build(), new ConnectionAdmission(source.holder()),
                new InboundListener.Refusals((type, fields) -> {
                    eventTypes.add(type);
                    events.add(fields);
                }));
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : clients) {
            c.close();
        }
        inbound.close();
        loops.close();
    }

    private int routed(SpiffeId caller) {
        return routed.getOrDefault(caller, new AtomicInteger()).get();
    }

    @Test
    void aPeerSpreadOverManyConnectionsHoldsNoMoreThanTheLimitWhileAnotherPeerGetsThrough() throws Exception {
        List<H2Connection> greedy = new ArrayList<>();
        for (int c = 0; c < 3; c++) {
            greedy.add(h2(GREEDY));
        }
        for (int s = 0; s < 3; s++) {
            for (H2Connection connection : greedy) {
                connection.request(2 * s + 1, "/hold", true);
            }
        }

        await().atMost(Duration.ofSeconds(10)).until(() -> greedy.stream().mapToInt(H2Connection::refused).sum() == 9 - LIMIT);
        assertThat(routed(GREEDY)).as("streams of the greedy peer that reached the router").isEqualTo(LIMIT);
        assertThat(inbound.streamsHeld(GREEDY)).isEqualTo(LIMIT);

        // HTTP/1.1 counts against the same limit
        try (Http1Connection http1 = http1(GREEDY)) {
            String answer = http1.exchange("GET /hold HTTP/1.1\r\nHost: llm\r\n\r\n");
            assertThat(answer).startsWith("HTTP/1.1 503 ").contains("x-aimesh-reason: peer-stream-limit")
                    .contains("maxStreamsPerPeer: " + LIMIT).contains(GREEDY.toString());
        }
        assertThat(routed(GREEDY)).isEqualTo(LIMIT);

        H2Connection other = h2(OTHER);
        other.request(1, "/hold", true);
        other.request(3, "/hold", true);
        try (Http1Connection http1 = http1(OTHER)) {
            http1.send("GET /hold HTTP/1.1\r\nHost: llm\r\n\r\n");
            await().atMost(Duration.ofSeconds(10)).until(() -> routed(OTHER) == 3);
        }
        assertThat(other.refused()).as("streams of the other peer refused").isZero();

        assertThat(eventTypes).contains(SecurityEvent.Type.OVERLOAD_REFUSED).doesNotContain(SecurityEvent.Type.PEER_AUTHN_REFUSED);
        assertThat(events).allSatisfy(fields -> assertThat(fields).containsEntry(SecurityEvent.Field.CALLER, GREEDY.toString())
                .hasEntrySatisfying(SecurityEvent.Field.REASON, r -> assertThat(r).startsWith("peer-stream-limit: ")
                        .contains("maxStreamsPerPeer: " + LIMIT)));
    }

    @Test
    void everyWayAStreamEndsGivesItsSlotBack() throws Exception {
        // answered by the proxy (the stream completes both ways)
        H2Connection connection = h2(GREEDY);
        int id = 1;
        for (int i = 0; i < LIMIT; i++, id += 2) {
            connection.request(id, "/deny", true);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> connection.answered() == LIMIT);
        awaitNothingHeld("after answered streams");

        // reset by the client while the request waits for its upstream
        List<Integer> held = new ArrayList<>();
        for (int i = 0; i < LIMIT; i++, id += 2) {
            connection.request(id, "/hold", true);
            held.add(id);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> inbound.streamsHeld(GREEDY) == LIMIT);
        for (int stream : held) {
            connection.reset(stream);
        }
        awaitNothingHeld("after the client reset its streams");

        // reset by the proxy: malformed (no pseudo-headers), then the upstream fails (503)
        connection.headers(id, END_HEADERS | END_STREAM, "x-no", "pseudo-headers");
        id += 2;
        await().atMost(Duration.ofSeconds(10)).until(() -> connection.resets() == 1);
        awaitNothingHeld("after a malformed stream");
        waiting.clear();
        for (int i = 0; i < LIMIT; i++, id += 2) {
            connection.request(id, "/hold", true);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> waiting.size() == LIMIT);
        waiting.forEach(lease -> lease.tryFailure(new IOException("connection refused")));
        await().atMost(Duration.ofSeconds(10)).until(() -> connection.answered() == 2 * LIMIT);
        awaitNothingHeld("after the upstream failed");

        // the connections closed with streams open, HTTP/2 and HTTP/1.1
        H2Connection first = h2(GREEDY);
        H2Connection second = h2(GREEDY);
        first.request(1, "/hold", true);
        first.request(3, "/hold", true);
        second.request(1, "/hold", true);
        Http1Connection http1 = http1(GREEDY);
        http1.send("GET /hold HTTP/1.1\r\nHost: llm\r\n\r\n");
        await().atMost(Duration.ofSeconds(10)).until(() -> inbound.streamsHeld(GREEDY) == LIMIT);
        first.close();
        second.close();
        http1.close();
        awaitNothingHeld("after the connections closed");

        // an HTTP/1.1 exchange holds a slot only until its answer: an idle keep-alive connection holds none
        try (Http1Connection idle = http1(GREEDY)) {
            assertThat(idle.exchange("GET /deny HTTP/1.1\r\nHost: llm\r\n\r\n")).startsWith("HTTP/1.1 403 ");
            awaitNothingHeld("with an idle keep-alive connection open");

            // and the caller still has its whole limit
            H2Connection again = h2(GREEDY);
            for (int i = 0; i < LIMIT + 1; i++) {
                again.request(2 * i + 1, "/hold", true);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> again.refused() == 1);
            assertThat(inbound.streamsHeld(GREEDY)).isEqualTo(LIMIT);
        }
    }

    private void awaitNothingHeld(String when) {
        await(when).atMost(Duration.ofSeconds(10))
                .until(() -> inbound.streamsHeld(GREEDY) == 0 && inbound.peersHoldingStreams() == 0);
    }

    private static X509Svid svid(SpiffeId id) throws Exception {
        KeyPair keys = Keys.newP256();
        byte[] csr = CertificateRequests.forSpiffeId(keys, id).getEncoded();
        var issued = (IssueDecision.Issued) SvidIssuer.issue(new SvidIssuer.Request(csr, id, Duration.ofHours(1), Instant.now()), ROOT);
        return new X509Svid(id, keys.getPrivate(), issued.chain());
    }

    private SSLSocket connect(SpiffeId caller, String alpn) throws Exception {
        X509Svid client = svid(caller);
        SSLContext context = SSLContext.getInstance("TLSv1.3");
        context.init(new KeyManager[] {new SvidKeyManager(() -> client)}, new TrustManager[] {new SpiffeTrustManager(
                () -> BUNDLE, TD, Set::of, PeerPolicy.only(SERVER), InstantSource.system())}, new SecureRandom());
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", inbound.address().getPort());
        var params = socket.getSSLParameters();
        params.setApplicationProtocols(new String[] {alpn});
        socket.setSSLParameters(params);
        socket.setSoTimeout(10_000);
        socket.startHandshake();
        return socket;
    }

    private H2Connection h2(SpiffeId caller) throws Exception {
        H2Connection connection = new H2Connection(connect(caller, "h2"));
        clients.add(connection);
        return connection;
    }

    private Http1Connection http1(SpiffeId caller) throws Exception {
        Http1Connection connection = new Http1Connection(connect(caller, "http/1.1"));
        clients.add(connection);
        return connection;
    }

    /** HTTP/2 written frame by frame; a reader thread counts what the server answers. */
    private static final class H2Connection implements AutoCloseable {
        private final SSLSocket socket;
        private final OutputStream out;
        private final DefaultHttp2HeadersEncoder hpack = new DefaultHttp2HeadersEncoder();
        private final AtomicInteger refused = new AtomicInteger();
        private final AtomicInteger resets = new AtomicInteger();
        private final AtomicInteger answered = new AtomicInteger();

        H2Connection(SSLSocket socket) throws IOException {
            this.socket = socket;
            this.out = socket.getOutputStream();
            ByteBuf preface = Http2CodecUtil.connectionPrefaceBuf();
            byte[] bytes = new byte[preface.readableBytes()];
            preface.readBytes(bytes);
            synchronized (this) {
                out.write(bytes);
                frame(SETTINGS, 0, 0, new byte[0]);
            }
            Thread.ofPlatform().daemon().start(this::read);
        }

        int refused() {
            return refused.get();
        }

        int resets() {
            return resets.get();
        }

        /** Streams answered with HEADERS (a response). */
        int answered() {
            return answered.get();
        }

        void request(int stream, String path, boolean endStream) throws Exception {
            headers(stream, END_HEADERS | (endStream ? END_STREAM : 0), ":method", "GET", ":scheme", "https", ":path", path,
                    ":authority", "llm");
        }

        synchronized void headers(int stream, int flags, String... namesAndValues) throws Exception {
            Http2Headers headers = new DefaultHttp2Headers(false);
            for (int i = 0; i < namesAndValues.length; i += 2) {
                headers.add(namesAndValues[i], namesAndValues[i + 1]);
            }
            ByteBuf block = Unpooled.buffer();
            try {
                hpack.encodeHeaders(stream, headers, block);
                byte[] bytes = new byte[block.readableBytes()];
                block.readBytes(bytes);
                frame(HEADERS, flags, stream, bytes);
            } finally {
                block.release();
            }
        }

        synchronized void reset(int stream) throws IOException {
            frame(RST_STREAM, 0, stream, new byte[] {0, 0, 0, CANCEL});
        }

        private synchronized void frame(int type, int flags, int stream, byte[] payload) throws IOException {
            out.write(new byte[] {(byte) (payload.length >>> 16), (byte) (payload.length >>> 8), (byte) payload.length,
                    (byte) type, (byte) flags, (byte) (stream >>> 24), (byte) (stream >>> 16), (byte) (stream >>> 8),
                    (byte) stream});
            out.write(payload);
            out.flush();
        }

        private void read() {
            try {
                DataInputStream in = new DataInputStream(socket.getInputStream());
                while (true) {
                    int length = (in.readUnsignedByte() << 16) | in.readUnsignedShort();
                    int type = in.readUnsignedByte();
                    int flags = in.readUnsignedByte();
                    in.readInt();
                    byte[] payload = new byte[length];
                    in.readFully(payload);
                    if (type == SETTINGS && (flags & ACK) == 0) {
                        frame(SETTINGS, ACK, 0, new byte[0]);
                    } else if (type == RST_STREAM) {
                        resets.incrementAndGet();
                        if (payload[3] == REFUSED_STREAM) {
                            refused.incrementAndGet();
                        }
                    } else if (type == HEADERS) {
                        answered.incrementAndGet();
                    } else if (type == GOAWAY) {
                        return;
                    }
                }
            } catch (IOException e) {
                // closed
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /** HTTP/1.1 over the same TLS. */
    private static final class Http1Connection implements AutoCloseable {
        private final SSLSocket socket;

        Http1Connection(SSLSocket socket) {
            this.socket = socket;
        }

        void send(String request) throws IOException {
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
        }

        /** Sends the request and reads one answer, headers and the body its Content-Length gives. */
        String exchange(String request) throws IOException {
            send(request);
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    break;
                }
                head.write(b);
            }
            String text = head.toString(StandardCharsets.US_ASCII);
            int length = text.lines().filter(l -> l.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:"))
                    .mapToInt(l -> Integer.parseInt(l.substring(l.indexOf(':') + 1).strip())).findFirst().orElse(0);
            return text + new String(in.readNBytes(length), StandardCharsets.UTF_8);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
