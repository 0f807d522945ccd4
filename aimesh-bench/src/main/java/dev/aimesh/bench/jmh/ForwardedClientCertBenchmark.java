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
import dev.aimesh.proxy.http.Routing;
import dev.aimesh.proxy.http.UpstreamConnector;
import dev.aimesh.proxy.net.TrafficCounters;
import dev.aimesh.proxy.http.UpstreamLease;
import dev.aimesh.proxy.inbound.InboundRouter;
import dev.aimesh.proxy.inbound.PeerIdentity;

/**
 * x-forwarded-client-cert: the value (a SHA-256 of the peer's DER certificate) is built once per inbound
 * connection after the handshake, then InboundRouter drops the client's copy and sets it on every request.
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
    private InboundRouter router;
    private HttpHeaders headers;

    @Setup
    public void setUp() {
        peerLeaf = new MeshIdentities().svid(MeshIdentities.APP).leaf();
        connection = new EmbeddedChannel();
        InboundPeers.attach(connection, new PeerIdentity(MeshIdentities.APP,
                ForwardedClientCert.value(MeshIdentities.MODEL, peerLeaf, MeshIdentities.APP)));
        router = InboundRouter.withoutPolicies(new UpstreamConnector() {
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

    /** InboundRouter.route on a request as decoded: hop-by-hop strip, the spoofed XFCC removed, the real one set. */
    @Benchmark
    public Routing perRequest() {
        Routing routing = router.route(connection, newRequest());
        if (!(routing instanceof Routing.Forward)) {
            throw new IllegalStateException("the router refused the benchmark request: " + routing);
        }
        return routing;
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
