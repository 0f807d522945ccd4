package dev.aimesh.it;

import java.util.concurrent.atomic.AtomicReference;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import dev.aimesh.api.v1.ConfigRequest;
import dev.aimesh.api.v1.ConfigServiceGrpc;
import dev.aimesh.api.v1.ConfigSnapshot;
import dev.aimesh.proxy.agent.WorkloadIdentity;
import dev.aimesh.testkit.TestMesh;

/**
 * A joined workload's config stream, spoken over the real protocol, that acknowledges what it is sent only when
 * the test lets it: while held it takes every snapshot and answers none, as a proxy slow to apply a new trust
 * bundle would. A root rotation waits for every connected proxy to acknowledge the new bundle before the new
 * root signs, so holding this stream keeps the rotation in its first phase (new root in the bundle, old root
 * signing) for as long as a test needs, instead of the few milliseconds that phase lasts among quick proxies.
 */
final class LaggingConfigStream implements AutoCloseable {
    private final WorkloadIdentity identity;
    private final AtomicReference<ConfigSnapshot> latest = new AtomicReference<>();
    private final ClientCallStreamObserver<ConfigRequest> requests;
    private volatile boolean held;

    private LaggingConfigStream(WorkloadIdentity identity) {
        this.identity = identity;
        AtomicReference<ClientCallStreamObserver<ConfigRequest>> stream = new AtomicReference<>();
        ConfigServiceGrpc.newStub(identity.channel()).streamConfig(new ClientResponseObserver<ConfigRequest, ConfigSnapshot>() {
            @Override
            public void beforeStart(ClientCallStreamObserver<ConfigRequest> s) {
                stream.set(s);
            }

            @Override
            public void onNext(ConfigSnapshot message) {
                latest.set(message);
                if (!held) {
                    acknowledge(message);
                }
            }

            @Override
            public void onError(Throwable t) {}

            @Override
            public void onCompleted() {}
        });
        this.requests = stream.get();
        send(ConfigRequest.newBuilder().setNodeId(identity.workload() + "@lagging").setWorkload(identity.workload())
                .setConfigFormat(dev.aimesh.api.ApiMessages.CONFIG_FORMAT).build());
    }

    /** Joins {@code workload} (namespace/name) and opens its stream, acknowledging until {@link #hold()}. */
    static LaggingConfigStream join(TestMesh mesh, String workload) throws Exception {
        return new LaggingConfigStream(mesh.join(workload));
    }

    /** From now on, snapshots are taken but not acknowledged. */
    void hold() {
        held = true;
    }

    /** Acknowledges the latest snapshot, and every one after it. */
    void release() {
        held = false;
        ConfigSnapshot last = latest.get();
        if (last != null) {
            acknowledge(last);
        }
    }

    /** The bundle version of the latest snapshot received (-1 before the first). */
    long receivedBundleVersion() {
        ConfigSnapshot last = latest.get();
        return last == null ? -1 : last.getBundle().getVersion();
    }

    private void acknowledge(ConfigSnapshot message) {
        send(ConfigRequest.newBuilder().setNodeId(identity.workload() + "@lagging").setVersion(message.getVersion())
                .setNonce(message.getNonce()).build());
    }

    private synchronized void send(ConfigRequest request) {
        requests.onNext(request);
    }

    @Override
    public void close() {
        requests.cancel("closing", null);
        identity.close();
    }
}
