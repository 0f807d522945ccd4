package dev.aimesh.proxy;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.Optional;
import dev.aimesh.core.identity.JoinToken;
import dev.aimesh.proxy.http.ProxyLimits;
import dev.aimesh.proxy.warmup.WarmUpConfig;

/**
 * How to run a proxy: the control plane, the join token and the state directory (either may be absent,
 * not both: see {@link dev.aimesh.proxy.agent.Enrollment}); the inbound listener and the model server
 * behind it (a workload that serves), and the outbound listener for the local app (a workload that
 * calls). {@code upstreamHttp2}: the model server speaks HTTP/2 without TLS (gRPC). {@code advertiseHost}
 * is the address other proxies dial for the inbound listener. {@code allowTls12}: accept TLS 1.2 besides
 * 1.3 between proxies (off unless asked for). {@code warmUp}: how long the proxy drives its own data path before it
 * starts serving (off unless asked for; {@code aimesh proxy} asks for {@link WarmUpConfig#DEFAULTS}).
 */
public record ProxyOptions(InetSocketAddress controlPlane, Optional<JoinToken> token, Optional<Path> stateDir,
        Optional<InetSocketAddress> inboundListen,
        Optional<InetSocketAddress> upstream, boolean upstreamHttp2, Optional<InetSocketAddress> outboundListen,
        String advertiseHost, boolean allowTls12, ProxyLimits limits, int threads, InstantSource clock, WarmUpConfig warmUp) {
    public ProxyOptions(InetSocketAddress controlPlane, Optional<JoinToken> token, Optional<Path> stateDir,
            Optional<InetSocketAddress> inboundListen, Optional<InetSocketAddress> upstream, boolean upstreamHttp2,
            Optional<InetSocketAddress> outboundListen, String advertiseHost, boolean allowTls12, ProxyLimits limits, int threads,
            InstantSource clock) {
        this(controlPlane, token, stateDir, inboundListen, upstream, upstreamHttp2, outboundListen, advertiseHost, allowTls12,
                limits, threads, clock, WarmUpConfig.OFF);
    }

    public ProxyOptions {
        requireNonNull(controlPlane, "controlPlane");
        requireNonNull(token, "token");
        requireNonNull(stateDir, "stateDir");
        if (token.isEmpty() && stateDir.isEmpty()) {
            throw new IllegalArgumentException("a proxy needs a join token, a state directory to resume from, or both");
        }
        requireNonNull(advertiseHost, "advertiseHost");
        requireNonNull(limits, "limits");
        requireNonNull(clock, "clock");
        requireNonNull(warmUp, "warmUp");
        if (inboundListen.isPresent() != upstream.isPresent()) {
            throw new IllegalArgumentException("an inbound listener needs the upstream (model server) it forwards to, and back");
        }
        if (inboundListen.isEmpty() && outboundListen.isEmpty()) {
            throw new IllegalArgumentException("a proxy needs an inbound listener, an outbound listener, or both");
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads: " + threads + " (expected: >= 1)");
        }
    }
}
