package dev.aimesh.controlplane.grpc;

import java.time.InstantSource;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import dev.aimesh.api.ApiMessages;
import dev.aimesh.api.v1.ConfigRequest;
import dev.aimesh.api.v1.ConfigServiceGrpc;
import dev.aimesh.api.v1.ConfigSnapshot;
import dev.aimesh.controlplane.audit.AuditEvent;
import dev.aimesh.controlplane.audit.AuditLog;
import dev.aimesh.core.identity.SpiffeId;
import dev.aimesh.core.registry.WorkloadEntry;
import dev.aimesh.identity.x509.TrustBundle;

/**
 * Streams to each connected proxy what of the current snapshot concerns its workload, and again on every
 * change that concerns it (see {@link OutgoingSnapshots}). Each proxy answers
 * with an ACK or a NACK (with the reason) for the nonce it got; what it acknowledged is kept in
 * {@link ProxyConnections}, which is how a root rotation knows every proxy has the new bundle.
 */
public final class ConfigGrpcService extends ConfigServiceGrpc.ConfigServiceImplBase {
    private static final Logger log = LoggerFactory.getLogger(ConfigGrpcService.class);
    private static final java.util.regex.Pattern HOST_PORT = java.util.regex.Pattern.compile("[A-Za-z0-9.:\\[\\]-]{1,253}:[0-9]{1,5}");

    private final MeshView mesh;
    private final ProxyConnections connections;
    private final AuditLog audit;
    private final InstantSource clock;
    private final Map<Long, Stream> streams = new ConcurrentHashMap<>();
    private final OutgoingSnapshots outgoing;

    public ConfigGrpcService(MeshView mesh, ProxyConnections connections, AuditLog audit, InstantSource clock) {
        this.mesh = mesh;
        this.connections = connections;
        this.audit = audit;
        this.clock = clock;
        this.outgoing = new OutgoingSnapshots(mesh);
    }

    /** Pushes the current snapshot to every connected proxy. */
    public void publish() {
        streams.values().forEach(Stream::push);
    }

    @Override
    public StreamObserver<ConfigRequest> streamConfig(StreamObserver<ConfigSnapshot> responses) {
        Optional<SpiffeId> peer = PeerIdentity.current();
        if (peer.isEmpty()) {
            responses.onError(Status.UNAUTHENTICATED.withDescription("the config stream requires mTLS with an SVID")
                    .asRuntimeException());
            return new NoOp();
        }
        return new Stream(peer.get(), (ServerCallStreamObserver<ConfigSnapshot>) responses);
    }

    private final class Stream implements StreamObserver<ConfigRequest> {
        private final SpiffeId peer;
        private final ServerCallStreamObserver<ConfigSnapshot> out;
        private long id = -1;
        private String workload = "";
        private String sentNonce;
        private String sentVersion;
        private long sentBundleVersion;
        private boolean sentWhole;
        /** What the proxy holds, as far as we know: the last message sent, until it refuses one. */
        private Optional<OutgoingSnapshots.Outgoing> held = Optional.empty();

        Stream(SpiffeId peer, ServerCallStreamObserver<ConfigSnapshot> out) {
            this.peer = peer;
            this.out = out;
        }

        @Override
        public void onNext(ConfigRequest request) {
            boolean first;
            synchronized (this) {
                first = id < 0;
            }
            if (!first) {
                answer(request);
                return;
            }
            Optional<String> otherFormat = checkFormat(request);
            if (otherFormat.isPresent()) {
                log.warn("refused a config stream from {}: {}", peer, otherFormat.get());
                out.onError(Status.FAILED_PRECONDITION.withDescription(otherFormat.get()).asRuntimeException());
                return;
            }
            Optional<String> refusal = checkClaim(request);
            if (refusal.isPresent()) {
                log.warn("refused a config stream from {}: {}", peer, refusal.get());
                audit.record(new AuditEvent(clock.instant(), "config.stream.refused", AuditEvent.Outcome.DENIED, Map.of(
                        "spiffe_id", peer.toString(), "detail", refusal.get())));
                out.onError(Status.PERMISSION_DENIED.withDescription(refusal.get()).asRuntimeException());
                return;
            }
            long opened = connections.open(request.getNodeId().isEmpty() ? peer.toString() : request.getNodeId(), peer,
                    request.getWorkload(), request.getInboundAddress(), clock.instant());
            synchronized (this) {
                id = opened;
                workload = request.getWorkload();
                streams.put(id, this);
            }
            log.info("proxy {} ({}) joined the config stream{}", request.getNodeId(), peer,
                    request.getInboundAddress().isEmpty() ? "" : ", inbound at " + request.getInboundAddress());
            push();
        }

        /** A proxy of another version would misread what it is sent: it is told so, and sent nothing. */
        private Optional<String> checkFormat(ConfigRequest request) {
            int format = request.getConfigFormat();
            if (format == ApiMessages.CONFIG_FORMAT) {
                return Optional.empty();
            }
            String reads = format == 0 ? "announces no config format (an aimesh before format 2, which decoded YAML files)"
                    : "reads config format " + format;
            return Optional.of("the proxy " + reads + ", this control plane sends format " + ApiMessages.CONFIG_FORMAT
                    + " (typed resources): run the same version of aimesh on both");
        }

        /** A proxy may serve only a workload whose identity it holds. */
        private Optional<String> checkClaim(ConfigRequest request) {
            if (request.getWorkload().isEmpty()) {
                return request.getInboundAddress().isEmpty() ? Optional.empty()
                        : Optional.of("an inbound address needs the workload it serves");
            }
            String[] ref = request.getWorkload().split("/", 2);
            var workload = ref.length == 2 ? mesh.snapshot().workload(ref[0], ref[1]) : Optional.<WorkloadEntry>empty();
            if (workload.isEmpty()) {
                return Optional.of("no workload " + request.getWorkload() + " in the mesh");
            }
            if (!workload.get().spiffeId().equals(peer)) {
                return Optional.of(peer + " may not serve " + request.getWorkload() + " (its identity is "
                        + workload.get().spiffeId() + ")");
            }
            if (!request.getInboundAddress().isEmpty() && !HOST_PORT.matcher(request.getInboundAddress()).matches()) {
                return Optional.of("inbound address '" + request.getInboundAddress() + "' is not host:port");
            }
            return Optional.empty();
        }

        private synchronized void answer(ConfigRequest request) {
            if (!request.getNonce().equals(sentNonce)) {
                return; // an answer to a message superseded since
            }
            if (request.getErrorDetail().isEmpty()) {
                connections.acked(id, request.getVersion(), sentBundleVersion);
                return;
            }
            connections.nacked(id, request.getErrorDetail());
            log.warn("proxy {} refused config {}: {}", peer, request.getVersion(), request.getErrorDetail());
            audit.record(new AuditEvent(clock.instant(), "config.nack", AuditEvent.Outcome.DENIED, Map.of(
                    "spiffe_id", peer.toString(), "version", request.getVersion(), "detail", request.getErrorDetail())));
            // It keeps its last good snapshot, which we may not know: what it is sent next is whole. A refused delta
            // is followed by the whole snapshot at once; a refused whole snapshot waits for the next change.
            held = Optional.empty();
            if (!sentWhole) {
                sentVersion = null;
                push();
            }
        }

        synchronized void push() {
            if (id < 0 || out.isCancelled()) {
                return;
            }
            Optional<OutgoingSnapshots.Outgoing> changed = outgoing.next(workload, held);
            if (changed.isEmpty() || changed.get().version().equals(sentVersion)) {
                return; // nothing that concerns this proxy changed, or it refused this very version whole
            }
            OutgoingSnapshots.Outgoing next = changed.get();
            sentNonce = next.message().getNonce();
            sentVersion = next.version();
            sentBundleVersion = next.bundleVersion();
            sentWhole = next.whole();
            held = changed;
            try {
                out.onNext(next.message());
            } catch (RuntimeException e) {
                log.debug("cannot push to {}: {}", peer, e.toString());
            }
        }

        @Override
        public void onError(Throwable t) {
            close();
        }

        @Override
        public void onCompleted() {
            close();
            out.onCompleted();
        }

        private synchronized void close() {
            if (id >= 0) {
                streams.remove(id);
                connections.close(id);
                log.info("proxy {} left the config stream", peer);
            }
        }
    }

    private static final class NoOp implements StreamObserver<ConfigRequest> {
        @Override
        public void onNext(ConfigRequest value) {}

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {}
    }
}
