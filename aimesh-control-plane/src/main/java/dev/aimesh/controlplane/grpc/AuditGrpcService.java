package dev.aimesh.controlplane.grpc;

import java.util.Optional;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import dev.aimesh.api.AuditMessages;
import dev.aimesh.api.v1.AuditBatch;
import dev.aimesh.api.v1.AuditReceipt;
import dev.aimesh.api.v1.AuditServiceGrpc;
import dev.aimesh.controlplane.audit.ReportedEvents;
import dev.aimesh.core.identity.SpiffeId;

/**
 * Takes the security events proxies report into the audit log. The reporter is the SPIFFE ID of the
 * verified client certificate; a call without one is refused, as nothing would say who reported.
 */
public final class AuditGrpcService extends AuditServiceGrpc.AuditServiceImplBase {
    private final ReportedEvents events;

    public AuditGrpcService(ReportedEvents events) {
        this.events = events;
    }

    @Override
    public void report(AuditBatch batch, StreamObserver<AuditReceipt> response) {
        Optional<SpiffeId> reporter = PeerIdentity.current();
        if (reporter.isEmpty()) {
            response.onError(Status.UNAUTHENTICATED.withDescription("reporting security events requires mTLS with an SVID")
                    .asRuntimeException());
            return;
        }
        ReportedEvents.Receipt receipt = events.record(reporter.get(), AuditMessages.fromProto(batch));
        response.onNext(AuditReceipt.newBuilder().setRecorded(receipt.recorded()).setRefused(receipt.refused()).build());
        response.onCompleted();
    }
}
