package dev.aimesh.bench.push;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import dev.aimesh.controlplane.ControlPlane;
import dev.aimesh.controlplane.ControlPlaneOptions;
import dev.aimesh.core.identity.JoinToken;
import dev.aimesh.core.registry.ConfigSnapshot;
import dev.aimesh.proxy.agent.WorkloadIdentity;
import dev.aimesh.proxy.filter.authn.JwksSources;
import dev.aimesh.proxy.filter.authz.PolicyCompiler;

/**
 * Target P10: a policy change in the config directory until every proxy has it. N simulated proxies, each
 * with its own SVID (joined with a token, as a proxy does) and its own mTLS config stream to an in-process
 * control plane on loopback, acknowledge each snapshot as it arrives; the arrival at each is timed against
 * the write of the file (which includes the watcher's debounce: one poll interval to see it, one to see it
 * settle) and against the moment the control plane published it. Decoding and compiling a snapshot is
 * each proxy's own CPU (on one machine, N proxies doing it would measure this machine, not the push), so
 * it is timed once, apart, and added.
 *
 * <p>Usage: {@code PushBenchmark PROXIES [ROUNDS] [OUTPUT.md]}
 */
public final class PushBenchmark {
    private static final Duration POLL = Duration.ofMillis(100);

    public static void main(String[] args) throws Exception {
        int proxies = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        Path out = args.length > 2 ? Path.of(args[2]) : null;
        Path work = Files.createTempDirectory("aimesh-push-");
        Path config = Files.createDirectories(work.resolve("config"));
        StringBuilder workloads = new StringBuilder();
        for (int i = 0; i < proxies; i++) {
            workloads.append("apiVersion: aimesh.dev/v1alpha1\nkind: Workload\nmetadata: {name: w-").append(i)
                    .append(", namespace: sim}\n---\n");
        }
        Files.writeString(config.resolve("workloads.yaml"), workloads);
        Files.writeString(config.resolve("policy.yaml"), policy(0));
        ControlPlane cp = ControlPlane.start(new ControlPlaneOptions(config, work.resolve("data"),
                new java.net.InetSocketAddress("127.0.0.1", 0), new java.net.InetSocketAddress("127.0.0.1", 0),
                Optional.empty(), InstantSource.system(), POLL));
        AtomicReferenceArray<String> versions = new AtomicReferenceArray<>(proxies);
        AtomicLongArray arrivals = new AtomicLongArray(proxies);
        List<WorkloadIdentity> identities = new ArrayList<>();
        List<SimulatedProxy> clients = new ArrayList<>();
        long joinStart = System.nanoTime();
        ExecutorService joiners = Executors.newFixedThreadPool(8);
        List<Future<WorkloadIdentity>> joined = new ArrayList<>();
        for (int i = 0; i < proxies; i++) {
            String workload = "sim/w-" + i;
            joined.add(joiners.submit(() -> WorkloadIdentity.bootstrap(cp.grpcAddress(),
                    JoinToken.parse(cp.createToken(workload, Duration.ofMinutes(30)).token()), InstantSource.system())));
        }
        for (int i = 0; i < proxies; i++) {
            WorkloadIdentity identity = joined.get(i).get();
            identities.add(identity);
            int index = i;
            clients.add(new SimulatedProxy(identity, "sim-" + i, version -> {
                versions.set(index, version);
                arrivals.set(index, System.nanoTime());
            }));
        }
        joiners.shutdown();
        String initial = awaitAll(versions, cp.snapshot().version(), Duration.ofMinutes(5));
        System.out.printf("%d proxies joined and on config %s in %.1f s%n", proxies, initial,
                (System.nanoTime() - joinStart) / 1e9);

        List<Double> fromWrite = new ArrayList<>();
        List<Double> fromPublish = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            String before = cp.snapshot().version();
            long written = System.nanoTime();
            Files.writeString(config.resolve("policy.yaml"), policy(round));
            long published;
            while (cp.snapshot().version().equals(before)) {
                Thread.onSpinWait();
            }
            published = System.nanoTime();
            String next = cp.snapshot().version();
            awaitAll(versions, next, Duration.ofMinutes(2));
            for (int i = 0; i < proxies; i++) {
                fromWrite.add((arrivals.get(i) - written) / 1e6);
                fromPublish.add((arrivals.get(i) - published) / 1e6);
            }
            System.out.printf("round %d: config %s at every proxy; max %.1f ms after the write, %.1f ms after publishing%n",
                    round, next, max(fromWrite.subList(fromWrite.size() - proxies, fromWrite.size())),
                    max(fromPublish.subList(fromPublish.size() - proxies, fromPublish.size())));
        }
        double compileMs = compileOnce(cp.snapshot());
        String report = report(proxies, rounds, fromWrite, fromPublish, compileMs);
        System.out.print(report);
        if (out != null) {
            Files.writeString(out, report);
        }
        clients.forEach(SimulatedProxy::close);
        identities.forEach(WorkloadIdentity::close);
        cp.close();
        System.exit(0);
    }

    private static String policy(int round) {
        return """
                apiVersion: security.istio.io/v1
                kind: AuthorizationPolicy
                metadata: {name: callers, namespace: sim}
                spec:
                  rules:
                  - from: [{source: {principals: ["cluster.local/ns/sim/sa/w-%d"]}}]
                    to: [{operation: {methods: ["POST"], paths: ["/v1/chat/completions"]}}]
                """.formatted(round);
    }

    private static String awaitAll(AtomicReferenceArray<String> versions, String version, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            boolean all = true;
            for (int i = 0; i < versions.length() && all; i++) {
                String v = versions.get(i);
                all = v != null && v.startsWith(version + "."); // a proxy's version is the snapshot's, then the bundle's
            }
            if (all) {
                return version;
            }
            Thread.sleep(1);
        }
        throw new IllegalStateException("not every proxy got config " + version + " within " + timeout.toSeconds() + " s");
    }

    /** What a proxy does with a snapshot before it enforces it: decode the config files and compile its policies. */
    private static double compileOnce(ConfigSnapshot snapshot) {
        try (JwksSources jwks = new JwksSources()) {
            for (int i = 0; i < 20; i++) {
                PolicyCompiler.compile(snapshot, "sim", "w-0", jwks, InstantSource.system());
            }
            long start = System.nanoTime();
            int n = 50;
            for (int i = 0; i < n; i++) {
                PolicyCompiler.compile(snapshot, "sim", "w-0", jwks, InstantSource.system());
            }
            return (System.nanoTime() - start) / 1e6 / n;
        }
    }

    private static double max(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).max().orElse(0);
    }

    private static double percentile(List<Double> values, double p) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100 * sorted.length) - 1)];
    }

    private static String report(int proxies, int rounds, List<Double> fromWrite, List<Double> fromPublish, double compileMs) {
        return """
                ## P10: policy change to every proxy, %d simulated proxies, %d changes

                | measured from | p50 ms | p99 ms | max ms |
                |---|---|---|---|
                | the write of the file (watcher polls every %d ms and waits one poll for the file to settle) | %.1f | %.1f | %.1f |
                | the control plane publishing the new snapshot | %.1f | %.1f | %.1f |
                | the write, with one proxy's decode and compile added (enforced) | %.1f | %.1f | %.1f |

                Each simulated proxy: its own SVID and mTLS gRPC config stream to the control plane on loopback, an ACK
                per snapshot as it arrives; all of them and the control plane share the machine's 2 cores. Decoding and compiling the snapshot (%d workloads, one policy), which each proxy does on its own
                CPU before enforcing: %.2f ms.
                """.formatted(proxies, rounds, POLL.toMillis(),
                percentile(fromWrite, 50), percentile(fromWrite, 99), max(fromWrite),
                percentile(fromPublish, 50), percentile(fromPublish, 99), max(fromPublish),
                percentile(fromWrite, 50) + compileMs, percentile(fromWrite, 99) + compileMs, max(fromWrite) + compileMs,
                proxies, compileMs);
    }

    private PushBenchmark() {}
}
