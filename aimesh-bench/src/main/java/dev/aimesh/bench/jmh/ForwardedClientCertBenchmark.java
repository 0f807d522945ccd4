package dev.aimesh.bench.jmh;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.concurrent.TimeUnit;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.Future;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import dev.aimesh.core.identity.SpiffeId;
import dev.aimesh.identity.x509.SubjectAltNames;
import dev.aimesh.proxy.http.ForwardedClientCert;
import dev.aimesh.proxy.filter.ChainStep;
import dev.aimesh.proxy.headers.Http1RequestHead;
import dev.aimesh.proxy.snapshot.ProxySnapshot;
import dev.aimesh.proxy.snapshot.SnapshotHolder;
import dev.aimesh.proxy.http.UpstreamConnector;
import dev.aimesh.proxy.net.TrafficCounters;
import dev.aimesh.proxy.http.UpstreamLease;
import dev.aimesh.proxy.inbound.InboundChain;
import dev.aimesh.proxy.filter.PeerIdentity;

/**
 * x-forwarded-client-cert: the value (a SHA-256 of the peer's DER certificate) is built once per inbound
 * connection after the handshake, then the inbound chain drops the client's copy and sets it on every request.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class ForwardedClientCertBenchmark {
    private X509Certificate peerLeaf;
    private EmbeddedChannel connection;
    private SnapshotHolder.Source router;
    private HttpHeaders headers;

    @Setup
    public void setUp() {
        peerLeaf = new MeshIdentities().svid(MeshIdentities.APP).leaf();
        connection = new EmbeddedChannel();
        InboundPeers.attach(connection, new PeerIdentity(MeshIdentities.APP,
                ForwardedClientCert.value(MeshIdentities.MODEL, peerLeaf, MeshIdentities.APP)));
        router = InboundChain.withoutPolicies(new UpstreamConnector() {
            @Override
            public Future<UpstreamLease> acquire(EventLoop loop) {
                throw new UnsupportedOperationException("routing only");
            }

            @Override
            public String describe() {
                return "nowhere";
            }

            @Override
            public TrafficCounters counters() {
                return new TrafficCounters();
            }
        }, 8000);
        headers = Requests.http1Headers();
    }

    @TearDown
    public void tearDown() {
        connection.finishAndReleaseAll();
    }

    /** ForwardedClientCert.value alone: the certificate's encoding, its SHA-256 and the hex string. */
    @Benchmark
    public String value() {
        return ForwardedClientCert.value(MeshIdentities.MODEL, peerLeaf, MeshIdentities.APP);
    }

    /** What the inbound listener does per connection: read the URI SAN, parse the SPIFFE ID, build the value. */
    @Benchmark
    public PeerIdentity perConnection() throws CertificateParsingException {
        SpiffeId peer = SpiffeId.parse(SubjectAltNames.uris(peerLeaf).get(0));
        return new PeerIdentity(peer, ForwardedClientCert.value(MeshIdentities.MODEL, peerLeaf, peer));
    }

    /** The inbound chain on a request as decoded: path normalized, hop-by-hop strip, the spoofed XFCC removed, the real one set. */
    @Benchmark
    public ChainStep perRequest() {
        ProxySnapshot snapshot = router.holder().current();
        HttpRequest request = newRequest();
        var chain = snapshot.chain(router.side());
        ChainStep step = chain.requestHeaders(chain.start(snapshot, connection, request.method().name(), request.uri(), true),
                new Http1RequestHead(request, "https"));
        if (!(step instanceof ChainStep.Forward)) {
            throw new IllegalStateException("the chain refused the benchmark request: " + step);
        }
        return step;
    }

    /** The request copy alone: subtract it from {@link #perRequest}. */
    @Benchmark
    public HttpRequest perRequestBaseline() {
        return newRequest();
    }

    private HttpRequest newRequest() {
        return new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/v1/chat/completions", headers.copy());
    }
}
