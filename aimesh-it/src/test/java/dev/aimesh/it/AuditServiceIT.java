package dev.aimesh.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import dev.aimesh.api.AuditMessages;
import dev.aimesh.api.v1.AuditBatch;
import dev.aimesh.api.v1.AuditReceipt;
import dev.aimesh.api.v1.AuditServiceGrpc;
import dev.aimesh.controlplane.audit.HashChainedAuditLog;
import dev.aimesh.core.audit.SecurityEvent;
import dev.aimesh.core.audit.SecurityEvent.Field;
import dev.aimesh.core.audit.SecurityEvent.Type;
import dev.aimesh.core.identity.JoinToken;
import dev.aimesh.proxy.agent.ControlPlaneChannels;
import dev.aimesh.proxy.agent.WorkloadIdentity;
import dev.aimesh.testkit.TestMesh;

/** The control plane's AuditService over loopback gRPC: who may report, what is recorded, and the per-proxy limits. */
class AuditServiceIT {
    @TempDir
    Path tmp;
    private TestMesh mesh;
    private WorkloadIdentity proxy;

    @BeforeEach
    void join() throws Exception {
        mesh = new TestMesh(tmp, TestMesh.meshWithLifetime("1h"), InstantSource.system());
        proxy = mesh.join("models/model");
    }

    @AfterEach
    void close() {
        proxy.close();
        mesh.close();
    }

    private AuditReceipt report(List<SecurityEvent> events) {
        return AuditServiceGrpc.newBlockingStub(proxy.channel()).report(AuditMessages.toProto(events));
    }

    private static SecurityEvent denied(String path) {
        return SecurityEvent.of(Type.AUTHZ_DENIED, Instant.now(), Map.of(Field.PATH, path,
                Field.CALLER, "spiffe://it.example/ns/web/sa/site", Field.POLICY, "models/no-admin", Field.RULE, "0"));
    }

    private List<String> lines() throws Exception {
        return Files.readAllLines(mesh.cp.auditLog());
    }

    @Test
    void theReporterIsTheVerifiedProxyAndEveryValueIsBounded() throws Exception {
        String longPath = "/" + "a".repeat(20_000);
        AuditReceipt receipt = report(List.of(denied("/admin/x"), denied(longPath)));
        assertThat(receipt.getRecorded()).isEqualTo(2);
        List<String> denials = lines().stream().filter(l -> l.contains("\"type\":\"authz.denied\"")).toList();
        assertThat(denials).hasSize(2);
        assertThat(denials.get(0)).contains("\"reporter\":\"" + proxy.svid().id() + "\"", "\"path\":\"/admin/x\"",
                "\"outcome\":\"denied\"", "\"policy\":\"models/no-admin\"");
        assertThat(denials.get(1).length()).isLessThan(2 * SecurityEvent.MAX_FIELD_CHARS);

        AuditBatch unknownType = AuditBatch.newBuilder().addEvents(dev.aimesh.api.v1.SecurityEvent.newBuilder()
                .setType("svid.issued").setCaller("spiffe://it.example/ns/x/sa/forged")).build();
        assertThat(AuditServiceGrpc.newBlockingStub(proxy.channel()).report(unknownType).getRefused()).isEqualTo(1);
        assertThat(HashChainedAuditLog.verify(mesh.cp.auditLog())).isEmpty();
    }

    @Test
    void aCallerWithoutAClientCertificateIsRefused() throws Exception {
        JoinToken token = mesh.token("apps/app");
        ManagedChannel anonymous = ControlPlaneChannels.bootstrap(mesh.grpc(), token.rootPins(), InstantSource.system());
        try {
            assertThatThrownBy(() -> AuditServiceGrpc.newBlockingStub(anonymous).report(AuditMessages.toProto(List.of(denied("/x")))))
                    .isInstanceOfSatisfying(StatusRuntimeException.class,
                            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
        } finally {
            anonymous.shutdownNow();
        }
        assertThat(lines()).noneMatch(l -> l.contains("authz.denied"));
    }

    @Test
    void aFloodingProxyIsRefusedOverItsRateAndTheGapIsInTheLog() throws Exception {
        int refused = 0;
        for (int round = 0; round < 3; round++) {
            List<SecurityEvent> batch = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                batch.add(denied("/flood/" + round + "/" + i));
            }
            refused += report(batch).getRefused();
        }
        assertThat(refused).isGreaterThanOrEqualTo(300); // 600 sent; at most a burst of 200 and ~20/s more recorded
        assertThat(mesh.cp.refusedSecurityEvents()).isEqualTo(refused);
        await().atMost(Duration.ofSeconds(5)).until(() -> report(List.of(denied("/after"))).getRecorded() == 1);
        String summary = lines().stream().filter(l -> l.contains("\"type\":\"audit.refused\"")).findFirst().orElseThrow();
        assertThat(summary).contains("\"reporter\":\"" + proxy.svid().id() + "\"");
        assertThat(HashChainedAuditLog.verify(mesh.cp.auditLog())).isEmpty();
    }
}
