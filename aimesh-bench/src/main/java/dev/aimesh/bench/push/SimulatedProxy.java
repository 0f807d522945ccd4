package dev.aimesh.bench.push;

import java.util.function.Consumer;
import io.grpc.stub.StreamObserver;
import dev.aimesh.api.v1.ConfigRequest;
import dev.aimesh.api.v1.ConfigServiceGrpc;
import dev.aimesh.api.v1.ConfigSnapshot;
import dev.aimesh.proxy.agent.WorkloadIdentity;

/**
 * A config client as light as can be: the proxy's mTLS channel and stream, an ACK for each snapshot as it
 * arrives, nothing decoded (a real proxy decodes on its own CPU; {@link PushBenchmark} times that apart).
 */
final class SimulatedProxy implements AutoCloseable {
    private final StreamObserver<ConfigRequest> requests;

    SimulatedProxy(WorkloadIdentity identity, String nodeId, Consumer<String> received) {
        Holder holder = new Holder();
        this.requests = ConfigServiceGrpc.newStub(identity.channel()).streamConfig(new StreamObserver<>() {
            @Override
            public void onNext(ConfigSnapshot snapshot) {
                received.accept(snapshot.getVersion());
                synchronized (holder) {
                    holder.requests.onNext(ConfigRequest.newBuilder().setNodeId(nodeId).setVersion(snapshot.getVersion())
                            .setNonce(snapshot.getNonce()).build());
                }
            }

            @Override
            public void onError(Throwable t) {}

            @Override
            public void onCompleted() {}
        });
        synchronized (holder) {
            holder.requests = requests;
            requests.onNext(ConfigRequest.newBuilder().setNodeId(nodeId).setWorkload(identity.workload())
                    .setConfigFormat(dev.aimesh.api.ApiMessages.CONFIG_FORMAT).build());
        }
    }

    /** The request stream, set once the call exists (an answer may come before the constructor returns). */
    private static final class Holder {
        StreamObserver<ConfigRequest> requests;
    }

    @Override
    public void close() {
        try {
            requests.onCompleted();
        } catch (RuntimeException e) {
            // already closed
        }
    }
}
