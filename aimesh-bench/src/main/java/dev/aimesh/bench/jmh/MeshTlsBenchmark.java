package dev.aimesh.bench.jmh;

import java.time.InstantSource;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import dev.aimesh.identity.x509.TrustBundle;
import dev.aimesh.identity.x509.X509Svid;
import dev.aimesh.proxy.tls.MeshTls;

/**
 * MeshTls lookups: every inbound connection takes server(), every new outbound connection clientFor(peer),
 * then a fresh SSLEngine from that context; the lookups must stay a field read and a map hit.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class MeshTlsBenchmark {
    private MeshTls tls;

    @Setup
    public void setUp() {
        MeshIdentities identities = new MeshIdentities();
        X509Svid svid = identities.svid(MeshIdentities.APP);
        TrustBundle bundle = identities.bundle;
        tls = new MeshTls(() -> svid, () -> bundle, MeshIdentities.TRUST_DOMAIN, InstantSource.system(), false);
        tls.clientFor(MeshIdentities.MODEL); // the first call per peer builds the context; measure the hits
        System.out.println("MeshTls provider: " + tls.providerName());
    }

    /** The inbound context: a volatile read. */
    @Benchmark
    public SslContext server() {
        return tls.server();
    }

    /** The outbound context for a known destination: a ConcurrentHashMap hit keyed by SpiffeId. */
    @Benchmark
    public SslContext clientFor() {
        return tls.clientFor(MeshIdentities.MODEL);
    }

    /** A new server-side engine, as each accepted connection's SslHandler gets (released again at once). */
    @Benchmark
    public boolean serverEngine() {
        return release(tls.server().newEngine(ByteBufAllocator.DEFAULT));
    }

    /** A new client-side engine for a peer proxy, as each new outbound HTTP/2 connection gets. */
    @Benchmark
    public boolean clientEngine() {
        return release(tls.clientFor(MeshIdentities.MODEL).newEngine(ByteBufAllocator.DEFAULT, "127.0.0.1", 15006));
    }

    private static boolean release(SSLEngine engine) {
        boolean client = engine.getUseClientMode();
        ReferenceCountUtil.release(engine); // the OpenSSL engine holds native memory until released
        return client;
    }
}
