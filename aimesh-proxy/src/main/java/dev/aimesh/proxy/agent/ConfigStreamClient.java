package dev.aimesh.proxy.agent;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.random.RandomGenerator;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import dev.aimesh.api.ApiMessages;
import dev.aimesh.api.v1.ConfigRequest;
import dev.aimesh.api.v1.ConfigServiceGrpc;
import dev.aimesh.api.v1.ConfigSnapshot;
import dev.aimesh.identity.x509.TrustBundle;

/**
 * Follows the control plane's config stream: hands each snapshot (whole, or a delta applied to the one in force;
 * typed resources, never YAML) to the {@link SnapshotListener}, answers
 * ACK when it applied or NACK with its reason when it did not (the proxy then keeps its last good
 * snapshot), and reconnects with jittered backoff when the stream breaks.
 *
 * <p>The reconnect is bounded by this class's backoff alone ({@link #RECONNECT_CAP}), reset by the first
 * snapshot received: the channel's own reconnect backoff (gRPC's grows by 1.6 per failed attempt, to
 * two minutes) is reset before every attempt, or a control plane back after a 20 s outage would be
 * found only when that backoff next expired (tens of seconds later).
 */
public final class ConfigStreamClient implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConfigStreamClient.class);

    /** Applies a snapshot; returns the reason it cannot be applied, or empty when it was. */
    @FunctionalInterface
    public interface SnapshotListener {
        Optional<String> apply(dev.aimesh.core.registry.ConfigSnapshot snapshot, TrustBundle bundle);
    }

    private final WorkloadIdentity identity;
    private final String nodeId;
    private final String inboundAddress;
    private final SnapshotListener listener;
    private final ScheduledExecutorService scheduler;
    /** Longest wait between two attempts: a restarted control plane has every proxy back within it. */
    static final Duration RECONNECT_CAP = Duration.ofSeconds(3);
    private final Backoff backoff = new Backoff(Duration.ofMillis(100), RECONNECT_CAP, RandomGenerator.getDefault());
    private final AtomicReference<String> appliedVersion = new AtomicReference<>("");
    /** The snapshot in force, which the next delta applies to; touched only by gRPC's serialized callbacks. */
    private volatile dev.aimesh.core.registry.ConfigSnapshot applied;
    private volatile ClientCallStreamObserver<ConfigRequest> requests;
    /** A snapshot arrived on the current stream and it has not broken since; kept as it was by {@link #close}. */
    private volatile boolean streaming;
    private volatile boolean closed;

    /**
     * @param inboundAddress {@code host:port} of this proxy's inbound listener, announced so that other
     *     proxies can reach the workload; empty for a proxy that only calls out
     */
    public ConfigStreamClient(WorkloadIdentity identity, String nodeId, String inboundAddress, SnapshotListener listener) {
        this.identity = identity;
        this.nodeId = nodeId;
        this.inboundAddress = inboundAddress;
        this.listener = listener;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("config-stream").factory());
    }

    public void start() {
        scheduler.execute(this::connect);
    }

    /** The version of the last snapshot applied, or "" before the first. */
    public String appliedVersion() {
        return appliedVersion.get();
    }

    private void connect() {
        if (closed) {
            return;
        }
        try {
            open();
        } catch (RuntimeException e) {
            // Thrown here, the stream would never be retried: a proxy that silently stops taking policy changes.
            reconnect("cannot open the config stream: " + e);
        }
    }

    private void open() {
        identity.channel().resetConnectBackoff(); // this attempt connects now, not when the channel's backoff ends
        ConfigServiceGrpc.newStub(identity.channel()).streamConfig(new ClientResponseObserver<ConfigRequest, ConfigSnapshot>() {
            @Override
            public void beforeStart(ClientCallStreamObserver<ConfigRequest> stream) {
                requests = stream;
            }

            @Override
            public void onNext(ConfigSnapshot message) {
                streaming = true;
                backoff.reset();
                handle(message);
            }

            @Override
            public void onError(Throwable t) {
                reconnect("the config stream broke: " + t.getMessage()); // says so when the control plane runs another version
            }

            @Override
            public void onCompleted() {
                reconnect("the control plane ended the config stream");
            }
        });
        requests.onNext(ConfigRequest.newBuilder().setNodeId(nodeId).setWorkload(identity.workload())
                .setInboundAddress(inboundAddress).setConfigFormat(ApiMessages.CONFIG_FORMAT).build());
    }

    /** Applies a whole snapshot, or a delta on the one in force; ACKs what applied, NACKs the rest and keeps the last good. */
    private void handle(ConfigSnapshot message) {
        Optional<String> problem;
        try {
            TrustBundle bundle = WorkloadIdentity.bundleOf(message.getBundle());
            var snapshot = ApiMessages.fromProto(message).applyTo(Optional.ofNullable(applied));
            problem = listener.apply(snapshot, bundle);
            if (problem.isEmpty()) {
                identity.updateBundle(bundle);
                applied = snapshot;
                appliedVersion.set(message.getVersion());
            }
        } catch (Exception e) {
            // a message of another config format, or a resource kind this build does not know, lands here by name
            problem = Optional.of("cannot read the snapshot: " + e.getMessage());
        }
        problem.ifPresent(p -> log.warn("refusing config {} and keeping {}: {}", message.getVersion(), appliedVersion.get(), p));
        var answer = ConfigRequest.newBuilder().setNodeId(nodeId).setVersion(message.getVersion()).setNonce(message.getNonce());
        problem.ifPresent(answer::setErrorDetail);
        synchronized (this) {
            requests.onNext(answer.build());
        }
    }

    private void reconnect(String why) {
        if (closed) {
            return; // our own cancel: the stream was as streaming() says when it was closed
        }
        streaming = false;
        Duration wait = backoff.next();
        log.warn("{}; reconnecting in {} ms (enforcing config {} meanwhile)", why, wait.toMillis(), appliedVersion.get());
        try {
            scheduler.schedule(this::connect, wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closed meanwhile: nothing to reconnect
        }
    }

    /**
     * Whether the stream is up: a snapshot arrived on it and it has not broken since. After {@link #close},
     * what it was when closed, so that what stops after it knows whether the control plane was reachable.
     */
    public boolean streaming() {
        return streaming;
    }

    /** False once the stream can no longer be retried (its scheduler is gone) though it was not closed. */
    public boolean alive() {
        return closed || !scheduler.isShutdown();
    }

    @Override
    public void close() {
        closed = true;
        ClientCallStreamObserver<ConfigRequest> stream = requests;
        if (stream != null) {
            stream.cancel("closing", null);
        }
        scheduler.shutdownNow();
    }
}
