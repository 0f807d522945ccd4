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
import dev.aimesh.api.ApiMessages;
import dev.aimesh.api.v1.ConfigRequest;
import dev.aimesh.api.v1.ConfigServiceGrpc;
import dev.aimesh.api.v1.ConfigSnapshot;
import dev.aimesh.proxy.agent.ConfigStreamClient;
import dev.aimesh.proxy.agent.WorkloadIdentity;
import dev.aimesh.testkit.MutableClock;
import dev.aimesh.testkit.TestMesh;

/**
 * The config stream over real gRPC and mTLS: what concerns the proxy's workload, typed, whole first, then only
 * what changed for it, nothing for a change that concerns others, and the whole again for a proxy that could
 * not apply a delta.
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
        return policy("models", method);
    }

    private static String policy(String namespace, String method) {
        return """
                apiVersion: security.istio.io/v1
                kind: AuthorizationPolicy
                metadata: {name: callers, namespace: %s}
                spec:
                  rules:
                  - to: [{operation: {methods: ["%s"]}}]
                """.formatted(namespace, method);
    }

    /** The keys of the resources a message carries. */
    private static List<String> keys(ConfigSnapshot message) {
        return message.getResourcesList().stream().map(r -> ApiMessages.fromProto(ConfigSnapshot.newBuilder()
                .setConfigFormat(ApiMessages.CONFIG_FORMAT).addResources(r).build()).resources().get(0).key()).toList();
    }

    /** The methods of the callers policy a message carries. */
    private static List<String> methods(ConfigSnapshot message) {
        return message.getResourcesList().stream().filter(r -> r.hasAuthorizationPolicy())
                .flatMap(r -> r.getAuthorizationPolicy().getRulesList().stream())
                .flatMap(r -> r.getToList().stream()).flatMap(o -> o.getMethodsList().stream()).toList();
    }

    /** A config client that shows the messages as sent and answers each as told. */
    private static final class RawStream {
        final List<ConfigSnapshot> received = new CopyOnWriteArrayList<>();
        final AtomicInteger refusals = new AtomicInteger();
        final java.util.concurrent.atomic.AtomicReference<Throwable> error = new java.util.concurrent.atomic.AtomicReference<>();
        private final StreamObserver<ConfigRequest> requests;

        RawStream(WorkloadIdentity identity) {
            this(identity, ApiMessages.CONFIG_FORMAT);
        }

        RawStream(WorkloadIdentity identity, int format) {
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
                public void onError(Throwable t) {
                    error.set(t);
                }

                @Override
                public void onCompleted() {}
            });
            synchronized (this) {
                requests.onNext(ConfigRequest.newBuilder().setNodeId("raw").setWorkload(identity.workload())
                        .setConfigFormat(format).build());
            }
        }
    }

    @Test
    void aChangeTravelsAsADeltaAndARefusedDeltaIsFollowedByTheWholeSnapshot() throws Exception {
        TestMesh mesh = closeLater(new TestMesh(tmp, null, new MutableClock()));
        mesh.write("policy.yaml", policy("POST"));
        await().atMost(Duration.ofSeconds(10)).until(() -> mesh.cp.config().authorizationPolicies().size() == 1);
        RawStream stream = new RawStream(closeLater(mesh.join("models/model")));

        await().atMost(Duration.ofSeconds(10)).until(() -> stream.received.size() == 1);
        ConfigSnapshot whole = stream.received.get(0);
        assertThat(whole.getBaseVersion()).isEmpty();
        assertThat(whole.getConfigFormat()).isEqualTo(ApiMessages.CONFIG_FORMAT);
        assertThat(keys(whole)).containsExactly("AuthorizationPolicy models/callers", "Mesh default/default",
                "Workload models/model");
        assertThat(whole.getWorkloadsCount()).isEqualTo(2);

        mesh.write("policy.yaml", policy("GET"));
        await().atMost(Duration.ofSeconds(10)).until(() -> stream.received.size() == 2);
        ConfigSnapshot delta = stream.received.get(1);
        assertThat(delta.getBaseVersion()).isEqualTo(whole.getVersion());
        assertThat(keys(delta)).containsExactly("AuthorizationPolicy models/callers");
        assertThat(methods(delta)).containsExactly("GET");
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
        assertThat(keys(again)).containsExactly("AuthorizationPolicy models/callers", "Mesh default/default",
                "Workload models/model");
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
        assertThat(methods(stream.received.get(6))).containsExactly("DELETE");
    }

    @Test
    void aChangeToAnotherWorkloadsPolicyPushesNothingToThisProxy() throws Exception {
        TestMesh mesh = closeLater(new TestMesh(tmp, null, new MutableClock()));
        RawStream app = new RawStream(closeLater(mesh.join("apps/app")));
        await().atMost(Duration.ofSeconds(10)).until(() -> app.received.size() == 1);
        assertThat(keys(app.received.get(0))).containsExactly("Mesh default/default", "Workload apps/app");

        mesh.write("models-policy.yaml", policy("models", "POST"));
        await().atMost(Duration.ofSeconds(10)).until(() -> mesh.cp.config().authorizationPolicies().size() == 1);
        // Pushes go out as the control plane applies a change, in order: had the models policy been sent to this
        // proxy, it would come before the change that concerns it.
        mesh.write("apps-policy.yaml", policy("apps", "GET"));
        await().atMost(Duration.ofSeconds(10)).until(() -> app.received.size() >= 2);
        ConfigSnapshot next = app.received.get(1);
        assertThat(next.getBaseVersion()).isEqualTo(app.received.get(0).getVersion());
        assertThat(keys(next)).containsExactly("AuthorizationPolicy apps/callers");
        assertThat(methods(next)).containsExactly("GET");
        assertThat(app.received).hasSize(2);
    }

    @Test
    void aProxyOfAnotherConfigFormatIsRefusedSayingSo() throws Exception {
        TestMesh mesh = closeLater(new TestMesh(tmp, null, new MutableClock()));
        RawStream old = new RawStream(closeLater(mesh.join("apps/app")), 0);

        await().atMost(Duration.ofSeconds(10)).until(() -> old.error.get() != null);
        assertThat(old.error.get()).hasMessage("FAILED_PRECONDITION: the proxy announces no config format (an aimesh before"
                + " format 2, which decoded YAML files), this control plane sends format 2 (typed resources): run the same"
                + " version of aimesh on both");
        assertThat(old.received).isEmpty();
        assertThat(mesh.cp.connections().all()).isEmpty();
    }

    @Test
    void aProxyThatCannotApplyADeltaKeepsItsConfigThenTakesTheWholeSnapshot() throws Exception {
        TestMesh mesh = closeLater(new TestMesh(tmp, null, new MutableClock()));
        mesh.write("policy.yaml", policy("POST"));
        await().atMost(Duration.ofSeconds(10)).until(() -> mesh.cp.config().authorizationPolicies().size() == 1);
        WorkloadIdentity identity = closeLater(mesh.join("models/model"));
        AtomicBoolean refuseNext = new AtomicBoolean();
        List<dev.aimesh.core.registry.ConfigSnapshot> applied = new CopyOnWriteArrayList<>();
        ConfigStreamClient client = closeLater(new ConfigStreamClient(identity, "model-1", "", (snapshot, bundle) -> {
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
        assertThat(callersMethods(latest)).containsExactly("GET");
        assertThat(latest.workloads()).hasSize(2);
        assertThat(client.appliedVersion()).isEqualTo(latest.version());
        await().atMost(Duration.ofSeconds(5)).until(() -> mesh.cp.connections().all().get(0).ackedVersion()
                .equals(latest.version()));

        mesh.write("policy.yaml", policy("PUT"));
        await().atMost(Duration.ofSeconds(10)).until(() -> applied.size() == 3);
        assertThat(callersMethods(applied.get(2))).containsExactly("PUT");
        assertThat(applied.get(2).workloads()).isEqualTo(latest.workloads());
    }

    private static List<String> callersMethods(dev.aimesh.core.registry.ConfigSnapshot snapshot) {
        return snapshot.resources().stream()
                .filter(r -> r.key().equals("AuthorizationPolicy models/callers"))
                .map(r -> (dev.aimesh.core.resource.AuthorizationPolicy) r)
                .flatMap(p -> p.rules().stream()).flatMap(r -> r.to().stream()).flatMap(o -> o.methods().stream()).toList();
    }

    @Test
    void aWholeSnapshotLargerThanGrpcsDefaultLimitArrives() throws Exception {
        TestMesh mesh = closeLater(new TestMesh(tmp, null, new MutableClock()));
        for (String name : List.of("a", "b")) {
            StringBuilder paths = new StringBuilder();
            for (int i = 0; i < 25_000; i++) {
                paths.append("          - /v1/models/").append(name).append(i).append('/').append("x".repeat(80)).append('\n');
            }
            mesh.write("big-" + name + ".yaml", """
                    apiVersion: security.istio.io/v1
                    kind: AuthorizationPolicy
                    metadata: {name: big-%s, namespace: models}
                    spec:
                      action: DENY
                      rules:
                      - to:
                        - operation:
                            paths:
                    %s""".formatted(name, paths));
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> mesh.cp.config().authorizationPolicies().size() == 2);
        List<dev.aimesh.core.registry.ConfigSnapshot> applied = new CopyOnWriteArrayList<>();
        ConfigStreamClient client = closeLater(new ConfigStreamClient(closeLater(mesh.join("models/model")), "model-1", "",
                (snapshot, bundle) -> {
                    applied.add(snapshot);
                    return Optional.empty();
                }));
        client.start();

        await().atMost(Duration.ofSeconds(20)).until(() -> !applied.isEmpty());
        int bytes = ApiMessages.toProto(applied.get(0), "n", ApiMessages.bundle(1, "cluster.local", List.of())).getSerializedSize();
        assertThat(bytes).isGreaterThan(4 * 1024 * 1024);
        assertThat(applied.get(0).resources()).extracting(dev.aimesh.core.resource.Resource::key)
                .contains("AuthorizationPolicy models/big-a", "AuthorizationPolicy models/big-b");
    }
}
