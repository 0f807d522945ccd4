package dev.aimesh.cli;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import dev.aimesh.controlplane.ControlPlane;
import dev.aimesh.controlplane.ControlPlaneOptions;
import dev.aimesh.controlplane.Endpoints;
import dev.aimesh.controlplane.audit.HashChainedAuditLog;
import dev.aimesh.core.identity.JoinToken;
import dev.aimesh.core.resource.Workload;
import dev.aimesh.demo.DemoModelServer;
import dev.aimesh.demo.SentimentModel;
import dev.aimesh.proxy.Proxy;
import dev.aimesh.proxy.ProxyOptions;
import dev.aimesh.proxy.agent.BootstrapException;
import dev.aimesh.proxy.agent.WorkloadIdentity;
import dev.aimesh.proxy.http.ProxyLimits;

/**
 * A whole mesh on this machine, as {@code aimesh up} runs it: the control plane, the demo models the
 * config asks for, and one proxy per workload that serves or calls (joined with its own join token).
 * Each proxy keeps its state there ({@code <data-dir>/workloads/<ns>/<name>/}: certificate files kept
 * current, the last good config), so a mesh started again resumes its proxies without new joins.
 */
final class LocalMesh implements AutoCloseable {
    private static final String LOOPBACK = "127.0.0.1";

    /** One workload as it runs: its proxy (if it serves or calls) and its demo model (if any). */
    record Member(Workload workload, Proxy proxy, Optional<DemoModelServer> model, Path files) {
        String ref() {
            return workload.namespace() + "/" + workload.name();
        }

        WorkloadIdentity identity() {
            return proxy.identity();
        }
    }

    private static final Duration CURRENT_CONFIG_TIMEOUT = Duration.ofSeconds(15);

    private final ControlPlane controlPlane;
    private final List<Member> members = new ArrayList<>();

    private LocalMesh(ControlPlane controlPlane) {
        this.controlPlane = controlPlane;
    }

    static LocalMesh start(Path configDir, Path dataDir, InetSocketAddress grpcListen, InetSocketAddress adminListen,
            HashChainedAuditLog.OnBrokenChain onBrokenAuditChain) {
        ControlPlane cp = ControlPlaneCommand.start(new ControlPlaneOptions(configDir, dataDir, grpcListen, adminListen,
                Optional.empty(), InstantSource.system(), Duration.ofMillis(500), onBrokenAuditChain));
        LocalMesh mesh = new LocalMesh(cp);
        try {
            for (Workload workload : cp.config().workloads()) {
                mesh.members.add(mesh.join(workload, dataDir));
            }
            mesh.awaitCurrentConfig();
        } catch (RuntimeException e) {
            mesh.close();
            throw e;
        }
        return mesh;
    }

    private Member join(Workload workload, Path dataDir) {
        String ref = workload.namespace() + "/" + workload.name();
        Optional<DemoModelServer> model = workload.run().map(run -> new DemoModelServer(new InetSocketAddress(LOOPBACK, 0),
                SentimentModel.bundled(run.demoModel()), InstantSource.system(), DemoModelServer.DEFAULT_TOKEN_DELAY));
        Optional<InetSocketAddress> upstream = workload.inbound().flatMap(in -> in.upstream()
                .map(u -> new InetSocketAddress(u.host(), u.port())))
                .or(() -> model.map(DemoModelServer::address));
        Optional<InetSocketAddress> inbound = workload.inbound().map(in -> new InetSocketAddress(LOOPBACK, in.port()));
        Optional<InetSocketAddress> outbound = workload.outbound().map(out -> new InetSocketAddress(LOOPBACK, out.port()))
                .or(() -> inbound.isEmpty() ? Optional.of(new InetSocketAddress(LOOPBACK, 0)) : Optional.empty());
        boolean h2c = workload.inbound().map(in -> in.protocol() == Workload.UpstreamProtocol.H2C).orElse(false);
        JoinToken token = JoinToken.parse(controlPlane.createToken(ref, Duration.ofMinutes(5)).token());
        Path files = dataDir.resolve("workloads").resolve(workload.namespace()).resolve(workload.name());
        Proxy proxy;
        try {
            proxy = Proxy.start(new ProxyOptions(controlPlane.grpcAddress(), Optional.of(token), Optional.of(files), inbound, upstream,
                    h2c, outbound, LOOPBACK, false, ProxyLimits.DEFAULTS, 1, InstantSource.system()));
        } catch (BootstrapException e) {
            model.ifPresent(DemoModelServer::close);
            throw new CliException(ExitCodes.FAILED, "workload " + ref + " could not join: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(ExitCodes.FAILED, "interrupted");
        }
        Map<String, String> endpoints = new LinkedHashMap<>();
        proxy.inboundAddress().ifPresent(a -> endpoints.put("workloads/" + ref + "/inbound", hostPort(a)));
        proxy.outboundAddress().ifPresent(a -> endpoints.put("workloads/" + ref + "/outbound", hostPort(a)));
        model.ifPresent(m -> endpoints.put("workloads/" + ref + "/model", hostPort(m.address())));
        Endpoints.merge(dataDir, endpoints);
        return new Member(workload, proxy, model, files);
    }

    /**
     * Waits until every proxy routes over the control plane's current registry. A proxy that resumed from its
     * state directory serves its stored snapshot at once, whose endpoints are those of the last run: calls
     * made before the current one arrives would go to ports nobody listens on any more. (Versions are not
     * compared: a proxy is sent only the changes that concern it, so it may hold an older one.)
     */
    private void awaitCurrentConfig() {
        long deadline = System.nanoTime() + CURRENT_CONFIG_TIMEOUT.toNanos();
        while (true) {
            var current = controlPlane.snapshot().workloads();
            List<String> behind = members.stream().filter(m -> m.proxy().appliedConfigVersion().isEmpty()
                            || m.proxy().registry() == null || !m.proxy().registry().workloads().equals(current))
                    .map(Member::ref).toList();
            if (behind.isEmpty()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new CliException(ExitCodes.FAILED, "these proxies did not get the current config within "
                        + CURRENT_CONFIG_TIMEOUT.toSeconds() + " s: " + String.join(", ", behind));
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CliException(ExitCodes.FAILED, "interrupted");
            }
        }
    }

    static String hostPort(InetSocketAddress address) {
        return address.getHostString() + ":" + address.getPort();
    }

    ControlPlane controlPlane() {
        return controlPlane;
    }

    List<Member> members() {
        return members;
    }

    @Override
    public void close() {
        for (Member m : members) {
            m.proxy().close();
            m.model().ifPresent(DemoModelServer::close);
        }
        controlPlane.close();
    }
}
