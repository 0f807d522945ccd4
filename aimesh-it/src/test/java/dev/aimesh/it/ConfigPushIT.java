package dev.aimesh.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import dev.aimesh.api.v1.ConfigFile;
import dev.aimesh.api.v1.ConfigRequest;
import dev.aimesh.api.v1.ConfigServiceGrpc;
import dev.aimesh.api.v1.ConfigSnapshot;
import dev.aimesh.proxy.agent.ConfigStreamClient;
import dev.aimesh.proxy.agent.WorkloadIdentity;
import dev.aimesh.testkit.MutableClock;
import dev.aimesh.testkit.TestMesh;

/**
 * The config stream over real gRPC and mTLS: the whole snapshot first, then only what changed, and the
 * whole snapshot again for a proxy that could not apply a delta.
 */
class ConfigPushIT {
    @TempDir
    Path tmp;
    private final List<AutoCloseable> closeables = new CopyOnWriteArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
    }

    private <T extends AutoCloseable> T closeLater(T c) {
        closeables.add(0, c);
        return c;
    }

    private static String policy(String method) {
        return """
                apiVersion: security.istio.io/v1
                kind: AuthorizationPolicy
                metadata: {name: callers, namespace: models}
                spec:
                  rules:
                  - to: [{operation: {methods: ["%s"]}}]
                """.formatted(method);
    }

    /** A config client that shows the messages as sent and answers each as told. */
    private static final class RawStream {
        final List<ConfigSnapshot> received = new CopyOnWriteArrayList<>();
        final AtomicInteger refusals = new AtomicInteger();
        private final StreamObserver<ConfigRequest> requests;

        RawStream(WorkloadIdentity identity) {
            requests = ConfigServiceGrpc.newStub(identity.channel()).streamConfig(new StreamObserver<>() {
                @Override
                public void onNext(ConfigSnapshot message) {
                    received.add(message);
                    var answer = ConfigRequest.newBuilder().setVersion(message.getVersion()).setNonce(message.getNonce());
                    if (refusals.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                        answer.setErrorDetail("refused by the test");
                    }
                    synchronized (RawStream.this) {
                        requests.onNext(answer.build());
                    }
                }

                @Override
                public void onError(Throwable t) {}

                @Override
                public void onCompleted() {}
            });
            synchronized (this) {
                requests.onNext(ConfigRequest.newBuilder().setNodeId("raw").setWorkload(identity.workload()).build());
            }
        }
    }

    @Test
    void aChangeTravelsAsADeltaAndARefusedDeltaIsFollowedByTheWholeSnapshot() throws Exception {
        TestMesh mesh = closeLater(new TestMesh(tmp, null, new MutableClock()));
        mesh.write("policy.yaml", policy("POST"));
        await().atMost(Duration.ofSeconds(10)).until(() -> mesh.cp.config().authorizationPolicies().size() == 1);
        RawStream stream = new RawStream(closeLater(mesh.join("apps/app")));

        await().atMost(Duration.ofSeconds(10)).until(() -> stream.received.size() == 1);
        ConfigSnapshot whole = stream.received.get(0);
        assertThat(whole.getBaseVersion()).isEmpty();
        assertThat(whole.getConfigFilesList()).extracting(ConfigFile::getName).containsExactly("policy.yaml", "workloads.yaml");
        assertThat(whole.getWorkloadsCount()).isEqualTo(2);

        mesh.write("policy.yaml", policy("GET"));
        await().atMost(Duration.ofSeconds(10)).until(() -> stream.received.size() == 2);
        ConfigSnapshot delta = stream.received.get(1);
        assertThat(delta.getBaseVersion()).isEqualTo(whole.getVersion());
        assertThat(delta.getConfigFilesList()).extracting(ConfigFile::getText).containsExactly(policy("GET"));
        assertThat(delta.getWorkloadsCount()).isZero();
        assertThat(delta.getBundle().getRootsCount()).isEqualTo(1);

        stream.refusals.set(1);
        mesh.write("policy.yaml", policy("PUT"));
        await().atMost(Duration.ofSeconds(10)).until(() -> stream.received.size() == 4);
        ConfigSnapshot refused = stream.received.get(2);
        ConfigSnapshot again = stream.received.get(3);
        assertThat(refused.getBaseVersion()).isEqualTo(delta.getVersion());
        assertThat(again.getVersion()).isEqualTo(refused.getVersion());
        assertThat(again.getBaseVersion()).isEmpty();
        assertThat(again.getConfigFilesList()).extracting(ConfigFile::getName).containsExactly("policy.yaml", "workloads.yaml");
        await().atMost(Duration.ofSeconds(5)).until(() -> mesh.cp.connections().all().get(0).ackedVersion()
                .equals(again.getVersion()));

        // A proxy that refuses the whole snapshot too is not sent it again until the next change, and then whole.
        stream.refusals.set(2);
        mesh.write("policy.yaml", policy("PATCH"));
        await().atMost(Duration.ofSeconds(10)).until(() -> stream.received.size() == 6);
        assertThat(stream.received.get(4).getBaseVersion()).isEqualTo(again.getVersion());
        assertThat(stream.received.get(5).getBaseVersion()).isEmpty();
        mesh.write("policy.yaml", policy("DELETE"));
        await().atMost(Duration.ofSeconds(10)).until(() -> stream.received.size() == 7);
        assertThat(stream.received.get(6).getBaseVersion()).isEmpty();
        assertThat(stream.received.get(6).getConfigFilesList()).extracting(ConfigFile::getText)
                .containsExactly(policy("DELETE"), TestMesh.WORKLOADS);
    }

    @Test
    void aProxyThatCannotApplyADeltaKeepsItsConfigThenTakesTheWholeSnapshot() throws Exception {
        TestMesh mesh = closeLater(new TestMesh(tmp, null, new MutableClock()));
        mesh.write("policy.yaml", policy("POST"));
        await().atMost(Duration.ofSeconds(10)).until(() -> mesh.cp.config().authorizationPolicies().size() == 1);
        WorkloadIdentity identity = closeLater(mesh.join("apps/app"));
        AtomicBoolean refuseNext = new AtomicBoolean();
        List<dev.aimesh.core.registry.ConfigSnapshot> applied = new CopyOnWriteArrayList<>();
        ConfigStreamClient client = closeLater(new ConfigStreamClient(identity, "app-1", "", (snapshot, bundle) -> {
            if (refuseNext.getAndSet(false)) {
                return Optional.of("refused by the test");
            }
            applied.add(snapshot);
            return Optional.empty();
        }));
        client.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> applied.size() == 1);

        refuseNext.set(true);
        mesh.write("policy.yaml", policy("GET"));
        await().atMost(Duration.ofSeconds(10)).until(() -> applied.size() == 2);

        var latest = applied.get(1);
        assertThat(latest.sources()).filteredOn(f -> f.name().equals("policy.yaml"))
                .extracting(f -> f.text()).containsExactly(policy("GET"));
        assertThat(latest.workloads()).hasSize(2);
        assertThat(client.appliedVersion()).isEqualTo(latest.version());
        await().atMost(Duration.ofSeconds(5)).until(() -> mesh.cp.connections().all().get(0).ackedVersion()
                .equals(latest.version()));

        mesh.write("policy.yaml", policy("PUT"));
        await().atMost(Duration.ofSeconds(10)).until(() -> applied.size() == 3);
        assertThat(applied.get(2).sources()).filteredOn(f -> f.name().equals("policy.yaml"))
                .extracting(f -> f.text()).containsExactly(policy("PUT"));
        assertThat(applied.get(2).workloads()).isEqualTo(latest.workloads());
    }

    @Test
    void aWholeSnapshotLargerThanGrpcsDefaultLimitArrives() throws Exception {
        TestMesh mesh = closeLater(new TestMesh(tmp, null, new MutableClock()));
        String comments = ("# " + "x".repeat(1000) + "\n").repeat(3000);
        mesh.write("notes-a.yaml", comments);
        mesh.write("notes-b.yaml", comments);
        await().atMost(Duration.ofSeconds(10)).until(() -> mesh.cp.snapshot().sources().size() == 3);
        List<dev.aimesh.core.registry.ConfigSnapshot> applied = new CopyOnWriteArrayList<>();
        ConfigStreamClient client = closeLater(new ConfigStreamClient(closeLater(mesh.join("apps/app")), "app-1", "",
                (snapshot, bundle) -> {
                    applied.add(snapshot);
                    return Optional.empty();
                }));
        client.start();

        await().atMost(Duration.ofSeconds(20)).until(() -> !applied.isEmpty());
        assertThat(applied.get(0).sources().stream().mapToInt(f -> f.text().length()).sum()).isGreaterThan(6_000_000);
    }
}
