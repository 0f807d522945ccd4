package dev.aimesh.controlplane.grpc;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import dev.aimesh.api.ApiMessages;
import dev.aimesh.api.v1.IdentityServiceGrpc;
import dev.aimesh.api.v1.SignCertificateRequest;
import dev.aimesh.api.v1.SignCertificateResponse;
import dev.aimesh.controlplane.audit.AuditEvent;
import dev.aimesh.controlplane.audit.AuditLog;
import dev.aimesh.controlplane.tokens.JoinTokenStore;
import dev.aimesh.controlplane.tokens.Redemption;
import dev.aimesh.core.identity.SpiffeId;
import dev.aimesh.core.registry.WorkloadEntry;
import dev.aimesh.identity.ca.CertificateAuthority;
import dev.aimesh.identity.ca.IssueDecision;
import dev.aimesh.identity.x509.TrustBundle;

/**
 * Signs CSRs. First contact: the join token decides the identity. Renewal: the verified client
 * certificate does, and the workload must still be in the config. Every refusal is audited with its
 * reason and answered with a status that says it.
 */
public final class IdentityGrpcService extends IdentityServiceGrpc.IdentityServiceImplBase {
    private static final Logger log = LoggerFactory.getLogger(IdentityGrpcService.class);

    private final CertificateAuthority ca;
    private final JoinTokenStore tokens;
    private final MeshView mesh;
    private final AuditLog audit;
    private final InstantSource clock;

    public IdentityGrpcService(CertificateAuthority ca, JoinTokenStore tokens, MeshView mesh, AuditLog audit, InstantSource clock) {
        this.ca = ca;
        this.tokens = tokens;
        this.mesh = mesh;
        this.audit = audit;
        this.clock = clock;
    }

    /** Who the caller may become, or the status that refuses it. */
    private sealed interface Grant {
        record Granted(WorkloadEntry workload, Optional<String> tokenId) implements Grant {}

        record Denied(Status status, String reason, Map<String, String> facts) implements Grant {}
    }

    @Override
    public void signCertificate(SignCertificateRequest request, StreamObserver<SignCertificateResponse> response) {
        Optional<SpiffeId> peer = PeerIdentity.current();
        Grant grant = request.getJoinToken().isEmpty() ? renewal(peer, PeerIdentity.currentCertificate())
                : bootstrap(request.getJoinToken());
        if (grant instanceof Grant.Denied denied) {
            refuse(response, denied.status(), denied.reason(), denied.facts());
            return;
        }
        Grant.Granted granted = (Grant.Granted) grant;
        WorkloadEntry workload = granted.workload();
        Map<String, String> facts = new HashMap<>();
        facts.put("spiffe_id", workload.spiffeId().toString());
        facts.put("workload", workload.ref());
        facts.put("via", granted.tokenId().isPresent() ? "join-token" : "renewal");
        granted.tokenId().ifPresent(id -> facts.put("token_id", id));

        IssueDecision decision = ca.issue(request.getCsr().toByteArray(), workload.spiffeId());
        switch (decision) {
            case IssueDecision.Refused refused -> {
                facts.put("reason", refused.reason().code);
                Status status = refused.reason() == IssueDecision.Reason.IDENTITY_NOT_GRANTED
                        ? Status.PERMISSION_DENIED : Status.INVALID_ARGUMENT;
                refuse(response, status, refused.detail(), facts);
            }
            case IssueDecision.Issued issued -> {
                if (granted.tokenId().isPresent() && !tokens.spend(granted.tokenId().get())) {
                    facts.put("reason", Redemption.Reason.ALREADY_USED.code);
                    refuse(response, Status.PERMISSION_DENIED, "join token " + granted.tokenId().get()
                            + " was used by another request at the same moment", facts);
                    return;
                }
                facts.put("serial", issued.leaf().getSerialNumber().toString(16));
                facts.put("not_after", issued.leaf().getNotAfter().toInstant().toString());
                audit.record(new AuditEvent(clock.instant(), "svid.issued", AuditEvent.Outcome.ALLOWED, facts));
                TrustBundle bundle = ca.bundle();
                var builder = SignCertificateResponse.newBuilder()
                        .setSpiffeId(workload.spiffeId().toString())
                        .setWorkload(workload.ref())
                        .setBundle(ApiMessages.bundle(bundle.version(), mesh.trustDomain(), bundle.roots()));
                issued.chain().forEach(c -> builder.addCertificateChain(ApiMessages.der(c)));
                response.onNext(builder.build());
                response.onCompleted();
            }
        }
    }

    private Grant bootstrap(String token) {
        Redemption redemption = tokens.check(token);
        if (redemption instanceof Redemption.Refused refused) {
            return new Grant.Denied(Status.PERMISSION_DENIED, refused.detail(), Map.of("reason", refused.reason().code));
        }
        Redemption.Granted granted = (Redemption.Granted) redemption;
        String[] ref = granted.workload().split("/", 2);
        Optional<WorkloadEntry> workload = mesh.snapshot().workload(ref[0], ref[1]);
        if (workload.isEmpty()) {
            return new Grant.Denied(Status.FAILED_PRECONDITION, "workload " + granted.workload()
                    + " is no longer in the mesh config", Map.of("reason", "workload-unknown", "token_id", granted.tokenId()));
        }
        return new Grant.Granted(workload.get(), Optional.of(granted.tokenId()));
    }

    private Grant renewal(Optional<SpiffeId> peer, Optional<X509Certificate> leaf) {
        if (peer.isEmpty() || leaf.isEmpty()) {
            return new Grant.Denied(Status.UNAUTHENTICATED,
                    "a join token (first contact) or a client certificate (renewal) is required", Map.of("reason", "no-credential"));
        }
        // Checked here against our own clock whatever the TLS layer did: a renewal is what would let an identity
        // live on, so a certificate out of its validity never renews (a resumed session skips the trust manager).
        Instant now = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        Instant notAfter = leaf.get().getNotAfter().toInstant();
        Instant notBefore = leaf.get().getNotBefore().toInstant();
        if (now.isAfter(notAfter) || now.isBefore(notBefore)) {
            String detail = now.isAfter(notAfter) ? "the client certificate of " + peer.get() + " expired at " + notAfter
                    : "the client certificate of " + peer.get() + " is not valid before " + notBefore;
            return new Grant.Denied(Status.UNAUTHENTICATED, detail + " (it is now " + now + "); join again with a token",
                    Map.of("reason", now.isAfter(notAfter) ? "svid-expired" : "svid-not-yet-valid", "spiffe_id", peer.get().toString()));
        }
        Optional<WorkloadEntry> workload = mesh.snapshot().bySpiffeId(peer.get());
        if (workload.isEmpty()) {
            return new Grant.Denied(Status.PERMISSION_DENIED, peer.get() + " is no longer a workload of the mesh",
                    Map.of("reason", "workload-unknown", "spiffe_id", peer.get().toString()));
        }
        return new Grant.Granted(workload.get(), Optional.empty());
    }

    private void refuse(StreamObserver<?> response, Status status, String reason, Map<String, String> facts) {
        Map<String, String> all = new HashMap<>(facts);
        all.put("detail", reason);
        audit.record(new AuditEvent(clock.instant(), "svid.refused", AuditEvent.Outcome.DENIED, all));
        log.warn("refused a certificate request: {}", reason);
        response.onError(status.withDescription(reason).asRuntimeException());
    }
}
