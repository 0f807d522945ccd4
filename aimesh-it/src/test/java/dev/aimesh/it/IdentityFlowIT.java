package dev.aimesh.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.bouncycastle.asn1.x509.GeneralName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import dev.aimesh.api.v1.IdentityServiceGrpc;
import dev.aimesh.api.v1.SignCertificateRequest;
import dev.aimesh.controlplane.audit.HashChainedAuditLog;
import dev.aimesh.core.identity.JoinToken;
import dev.aimesh.core.identity.SpiffeId;
import dev.aimesh.core.registry.ConfigSnapshot;
import dev.aimesh.identity.x509.CertificateRequests;
import dev.aimesh.identity.x509.Keys;
import dev.aimesh.identity.x509.TrustBundle;
import dev.aimesh.identity.x509.X509Svid;
import dev.aimesh.identity.x509.X509SvidVerifier;
import dev.aimesh.proxy.agent.BootstrapException;
import dev.aimesh.proxy.agent.ConfigStreamClient;
import dev.aimesh.proxy.agent.ControlPlaneChannels;
import dev.aimesh.proxy.agent.WorkloadIdentity;
import dev.aimesh.testkit.CliProcess.Result;
import dev.aimesh.testkit.CliProcess;
import dev.aimesh.testkit.MutableClock;
import dev.aimesh.testkit.TestCa;
import dev.aimesh.testkit.TestMesh;

/** Join, renewal, refusal, restart and root rotation against a real control plane over loopback gRPC + mTLS. */
class IdentityFlowIT {
    private static final SpiffeId MODEL = SpiffeId.parse("spiffe://it.example/ns/models/sa/llm");

    @TempDir
    Path tmp;
    private final MutableClock clock = new MutableClock();
    private final List<AutoCloseable> closeables = new CopyOnWriteArrayList<>();
    private TestMesh mesh;

    private TestMesh mesh(String lifetime) {
        mesh = new TestMesh(tmp, TestMesh.meshWithLifetime(lifetime), clock);
        closeables.add(mesh);
        return mesh;
    }

    private <T extends AutoCloseable> T closeLater(T c) {
        closeables.add(0, c);
        return c;
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
    }

    private static X509SvidVerifier.Verification verify(X509Svid svid, TrustBundle bundle) {
        return X509SvidVerifier.verify(svid.chain(), bundle, svid.id().trustDomain(), X509SvidVerifier.Role.CLIENT,
                Instant.now(), Set.of());
    }

    private List<String> auditTypes() throws Exception {
        return Files.readAllLines(mesh.cp.auditLog()).stream()
                .map(l -> l.replaceAll(".*\"type\":\"([^\"]+)\".*\"outcome\":\"([^\"]+)\".*", "$1/$2")).toList();
    }

    @Test
    void aJoinTokenGivesTheWorkloadItsIdentityOnceOnly() throws Exception {
        mesh("1h");
        JoinToken token = mesh.token("models/model");
        WorkloadIdentity identity = closeLater(WorkloadIdentity.bootstrap(mesh.grpc(), token, InstantSource.system()));
        assertThat(identity.svid().id()).isEqualTo(MODEL);
        assertThat(identity.workload()).isEqualTo("models/model");
        assertThat(identity.expiresAt()).isBetween(Instant.now().plus(Duration.ofMinutes(59)), Instant.now().plus(Duration.ofHours(1)));
        assertThat(verify(identity.svid(), mesh.cp.bundle())).isInstanceOf(X509SvidVerifier.Verification.Verified.class);

        assertThatThrownBy(() -> WorkloadIdentity.bootstrap(mesh.grpc(), token, InstantSource.system()))
                .isInstanceOf(BootstrapException.class).hasMessageContaining("was already used");
        assertThat(auditTypes()).contains("svid.issued/allowed", "svid.refused/denied");
        assertThat(HashChainedAuditLog.verify(mesh.cp.auditLog())).isEmpty();
    }

    @Test
    void unknownForgedAndExpiredTokensAreRefused() throws Exception {
        mesh("1h");
        JoinToken real = mesh.token("apps/app");
        JoinToken forged = new JoinToken(real.id(), "A".repeat(32), real.rootPins());
        assertThatThrownBy(() -> WorkloadIdentity.bootstrap(mesh.grpc(), forged, InstantSource.system()))
                .hasMessageContaining("unknown join token");
        JoinToken unknown = new JoinToken("nosuchtoken1", "B".repeat(32), real.rootPins());
        assertThatThrownBy(() -> WorkloadIdentity.bootstrap(mesh.grpc(), unknown, InstantSource.system()))
                .hasMessageContaining("unknown join token");

        clock.advance(Duration.ofMinutes(6));
        assertThatThrownBy(() -> WorkloadIdentity.bootstrap(mesh.grpc(), real, InstantSource.system()))
                .hasMessageContaining("expired");
    }

    @Test
    void aCsrForAnotherIdentityOrWithDnsNamesIsRefusedAndDoesNotSpendTheToken() throws Exception {
        mesh("1h");
        JoinToken token = mesh.token("apps/app");
        ManagedChannel channel = ControlPlaneChannels.bootstrap(mesh.grpc(), token.rootPins(), InstantSource.system());
        closeLater(channel::shutdownNow);
        var stub = IdentityServiceGrpc.newBlockingStub(channel);
        byte[] stealsModel = CertificateRequests.forSpiffeId(Keys.newP256(), MODEL).getEncoded();
        assertThatThrownBy(() -> stub.signCertificate(SignCertificateRequest.newBuilder()
                .setCsr(ByteString.copyFrom(stealsModel)).setJoinToken(token.toString()).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
                    assertThat(e.getStatus().getDescription()).contains("may only be spiffe://it.example/ns/apps/sa/app");
                });
        byte[] dns = CertificateRequests.withNames(Keys.newP256(), new GeneralName(GeneralName.dNSName, "app.local")).getEncoded();
        assertThatThrownBy(() -> stub.signCertificate(SignCertificateRequest.newBuilder()
                .setCsr(ByteString.copyFrom(dns)).setJoinToken(token.toString()).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getDescription()).contains("DNS name SAN"));
        assertThatThrownBy(() -> stub.signCertificate(SignCertificateRequest.newBuilder()
                .setCsr(ByteString.copyFromUtf8("garbage")).setJoinToken(token.toString()).build()))
                .hasMessageContaining("not valid DER PKCS#10");
        assertThatThrownBy(() -> stub.signCertificate(SignCertificateRequest.newBuilder()
                .setCsr(ByteString.copyFrom(dns)).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));

        WorkloadIdentity identity = closeLater(WorkloadIdentity.bootstrap(mesh.grpc(), token, InstantSource.system()));
        assertThat(identity.svid().id().path()).isEqualTo("/ns/apps/sa/app");
        assertThat(auditTypes().stream().filter(t -> t.equals("svid.refused/denied")).count()).isEqualTo(4);
    }

    @Test
    void theSvidIsRenewedBeforeItExpires() throws Exception {
        mesh("4s");
        WorkloadIdentity identity = closeLater(mesh.join("models/model"));
        X509Svid first = identity.svid();
        List<X509Svid> renewed = new CopyOnWriteArrayList<>();
        identity.onSvidChange(renewed::add);
        identity.startRenewal();
        await().atMost(Duration.ofSeconds(10)).until(() -> renewed.size() >= 2);
        assertThat(renewed.get(0).leaf().getSerialNumber()).isNotEqualTo(first.leaf().getSerialNumber());
        // Each renewal arrived while the SVID before it was still valid.
        assertThat(renewed.get(0).notBefore()).isBefore(first.expiresAt());
        assertThat(renewed.get(1).notBefore()).isBefore(renewed.get(0).expiresAt());
        assertThat(renewed.get(0).privateKey()).isNotEqualTo(first.privateKey());
        assertThat(verify(identity.svid(), mesh.cp.bundle())).isInstanceOf(X509SvidVerifier.Verification.Verified.class);
    }

    @Test
    void renewalRetriesWhileTheControlPlaneIsAwayAndSucceedsWhenItReturns() throws Exception {
        mesh("6s");
        WorkloadIdentity identity = closeLater(mesh.join("models/model"));
        X509Svid first = identity.svid();
        List<X509Svid> renewed = new CopyOnWriteArrayList<>();
        identity.onSvidChange(renewed::add);
        var port = mesh.grpc();
        mesh.cp.close();
        identity.startRenewal();
        await().atMost(Duration.ofSeconds(10)).until(() -> identity.renewalFailures() >= 2);
        mesh.cp = dev.aimesh.controlplane.ControlPlane.start(new dev.aimesh.controlplane.ControlPlaneOptions(mesh.configDir,
                mesh.dataDir, port, new java.net.InetSocketAddress("127.0.0.1", 0), Optional.empty(), clock, Duration.ofMillis(100)));
        await().atMost(Duration.ofSeconds(10)).until(() -> !renewed.isEmpty());
        assertThat(renewed.get(0).notBefore()).isBefore(first.expiresAt());
        assertThat(Instant.now()).isBefore(first.expiresAt().plusSeconds(1));
    }

    @Test
    void aRestartKeepsTheSameRootAndBundleAndRenewalGoesOn() throws Exception {
        mesh("1h");
        TrustBundle before = mesh.cp.bundle();
        WorkloadIdentity identity = closeLater(mesh.join("models/model"));
        var port = mesh.grpc();
        mesh.cp.close();
        mesh.cp = dev.aimesh.controlplane.ControlPlane.start(new dev.aimesh.controlplane.ControlPlaneOptions(mesh.configDir,
                mesh.dataDir, port, new java.net.InetSocketAddress("127.0.0.1", 0), Optional.empty(), clock, Duration.ofMillis(100)));
        assertThat(mesh.cp.bundle()).isEqualTo(before);
        assertThat(verify(identity.svid(), mesh.cp.bundle())).isInstanceOf(X509SvidVerifier.Verification.Verified.class);
        BigInteger serial = identity.svid().leaf().getSerialNumber();
        identity.renewNow();
        assertThat(identity.svid().leaf().getSerialNumber()).isNotEqualTo(serial);
    }

    @Test
    void aRootRotationKeepsBothGenerationsOfSvidsVerifying() throws Exception {
        mesh("1h");
        WorkloadIdentity old = closeLater(mesh.join("models/model"));
        ConfigStreamClient stream = closeLater(new ConfigStreamClient(old, "model-1", "", (s, b) -> Optional.empty()));
        stream.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> !stream.appliedVersion().isEmpty());

        mesh.cp.beginRootRotation(Optional.empty());
        await().atMost(Duration.ofSeconds(10)).until(() -> old.bundle().roots().size() == 2);
        await().atMost(Duration.ofSeconds(10)).until(() -> mesh.cp.ca().rotation().orElseThrow().phase()
                == dev.aimesh.identity.ca.RootRotation.Phase.SWITCHED);

        WorkloadIdentity fresh = closeLater(mesh.join("apps/app"));
        assertThat(fresh.svid().leaf().getIssuerX500Principal()).isNotEqualTo(old.svid().leaf().getIssuerX500Principal());
        // Each side verifies the other with the bundle it holds: no moment where a peer is distrusted.
        assertThat(verify(fresh.svid(), old.bundle())).isInstanceOf(X509SvidVerifier.Verification.Verified.class);
        assertThat(verify(old.svid(), fresh.bundle())).isInstanceOf(X509SvidVerifier.Verification.Verified.class);
        assertThat(verify(old.svid(), mesh.cp.bundle())).isInstanceOf(X509SvidVerifier.Verification.Verified.class);
        assertThat(auditTypes()).contains("ca.rotation.started/info", "ca.rotation.switched/info");

        // The old SVID renews over mTLS and comes back from the new root.
        old.renewNow();
        assertThat(old.svid().leaf().getIssuerX500Principal()).isEqualTo(fresh.svid().leaf().getIssuerX500Principal());
    }

    @Test
    void configChangesArePushedAndABrokenChangeIsRefusedWhole() throws Exception {
        mesh("1h");
        WorkloadIdentity identity = closeLater(mesh.join("apps/app"));
        List<ConfigSnapshot> seen = new CopyOnWriteArrayList<>();
        ConfigStreamClient stream = closeLater(new ConfigStreamClient(identity, "app-1", "127.0.0.1:9999", (s, b) -> {
            seen.add(s);
            return Optional.empty();
        }));
        stream.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> !seen.isEmpty()
                && seen.get(seen.size() - 1).workload("apps", "app").orElseThrow().endpoints().equals(List.of("127.0.0.1:9999")));
        assertThat(seen.get(seen.size() - 1).workloads()).hasSize(2);
        int before = seen.size();

        mesh.write("more.yaml", """
                apiVersion: aimesh.dev/v1alpha1
                kind: Workload
                metadata: {name: embedder, namespace: models}
                """);
        await().atMost(Duration.ofSeconds(10)).until(() -> seen.size() == before + 1);
        assertThat(seen.get(before).workloads()).extracting(w -> w.name()).contains("embedder");

        mesh.write("broken.yaml", """
                apiVersion: aimesh.dev/v1alpha1
                kind: Workload
                metadata: {name: extra}
                spec: {serviceAcount: typo}
                """);
        await().atMost(Duration.ofSeconds(10)).until(() -> !mesh.cp.lastRejection().isEmpty());
        assertThat(mesh.cp.lastRejection()).extracting(Object::toString)
                .containsExactly("broken.yaml:4:8: spec.serviceAcount: unknown field");
        assertThat(mesh.cp.config().workloads()).hasSize(3);
        assertThat(seen).hasSize(before + 1);
        await().atMost(Duration.ofSeconds(5)).until(() -> mesh.cp.connections().all().get(0).ackedVersion()
                .equals(stream.appliedVersion()));
    }

    @Test
    void aWorkloadRemovedFromTheConfigCannotRenew() throws Exception {
        mesh("1h");
        WorkloadIdentity identity = closeLater(mesh.join("models/model"));
        mesh.write("workloads.yaml", """
                apiVersion: aimesh.dev/v1alpha1
                kind: Workload
                metadata: {name: app, namespace: apps}
                """);
        await().atMost(Duration.ofSeconds(10)).until(() -> mesh.cp.config().workloads().size() == 1);
        assertThatThrownBy(identity::renewNow).hasMessageContaining("is no longer a workload of the mesh");
    }

    @Test
    void aProxyMayOnlyAnnounceTheWorkloadItsSvidNames() throws Exception {
        mesh("1h");
        WorkloadIdentity app = closeLater(mesh.join("apps/app"));
        var forged = new dev.aimesh.api.v1.ConfigRequest[] {dev.aimesh.api.v1.ConfigRequest.newBuilder()
                .setNodeId("evil").setWorkload("models/model").setInboundAddress("127.0.0.1:6666")
                .setConfigFormat(dev.aimesh.api.ApiMessages.CONFIG_FORMAT).build()};
        var call = dev.aimesh.api.v1.ConfigServiceGrpc.newBlockingV2Stub(app.channel()).streamConfig();
        call.write(forged[0]);
        assertThatThrownBy(call::read).hasMessageContaining("PERMISSION_DENIED")
                .hasMessageContaining("may not serve models/model");
        assertThat(mesh.cp.snapshot().workload("models", "model").orElseThrow().endpoints()).isEmpty();
        assertThat(auditTypes()).contains("config.stream.refused/denied");
    }

    @Test
    void garbageOnTheGrpcPortClosesOnlyThatConnection() throws Exception {
        mesh("1h");
        try (Socket raw = new Socket(mesh.grpc().getAddress(), mesh.grpc().getPort())) {
            raw.setSoTimeout(10_000);
            OutputStream out = raw.getOutputStream();
            out.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n\u0000\u0001garbage".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = raw.getInputStream();
            byte[] buffer = new byte[4096];
            int total = 0;
            int n;
            while ((n = in.read(buffer)) >= 0 && total < 1 << 16) {
                total += n; // a TLS alert at most, then the server closes
            }
            assertThat(n).isEqualTo(-1);
        }
        WorkloadIdentity identity = closeLater(mesh.join("apps/app"));
        assertThat(identity.svid().id().path()).isEqualTo("/ns/apps/sa/app");
    }

    @Test
    void theConfigStreamRequiresAnSvid() throws Exception {
        mesh("1h");
        JoinToken token = mesh.token("apps/app");
        ManagedChannel channel = ControlPlaneChannels.bootstrap(mesh.grpc(), token.rootPins(), InstantSource.system());
        closeLater(channel::shutdownNow);
        var iterator = dev.aimesh.api.v1.ConfigServiceGrpc.newBlockingV2Stub(channel);
        var call = iterator.streamConfig();
        // The refusal may come before the first message is written (the server answers at the call's start), so
        // either the write or the read carries it.
        assertThatThrownBy(() -> {
            call.write(dev.aimesh.api.v1.ConfigRequest.newBuilder().setNodeId("anonymous").build());
            call.read();
        }).hasMessageContaining("UNAUTHENTICATED").hasMessageContaining("requires mTLS");
    }

    private static SignCertificateRequest renewalOf(SpiffeId id) {
        return SignCertificateRequest.newBuilder()
                .setCsr(ByteString.copyFrom(dev.aimesh.identity.x509.SvidRequest.der(Keys.newP256(), Optional.of(id)))).build();
    }

    @Test
    void aConnectionMadeWithAnSvidCannotRenewItOnceItHasExpired() throws Exception {
        mesh("1h");
        WorkloadIdentity identity = closeLater(mesh.join("models/model"));
        X509Svid held = identity.svid();
        // A channel that keeps presenting the first SVID: its connection (or a resumed session) outlives the SVID.
        ManagedChannel channel = ControlPlaneChannels.mutualTls(mesh.grpc(), () -> held, identity::bundle, identity.trustDomain(),
                InstantSource.system());
        closeLater(channel::shutdownNow);
        var stub = IdentityServiceGrpc.newBlockingStub(channel);
        assertThat(stub.signCertificate(renewalOf(MODEL)).getSpiffeId()).isEqualTo(MODEL.toString());

        clock.advance(Duration.ofHours(2)); // the control plane's clock: the SVID of the open connection has expired
        assertThatThrownBy(() -> stub.signCertificate(renewalOf(MODEL)))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
                    assertThat(e.getStatus().getDescription()).contains("expired at " + held.expiresAt());
                });
        // and the proxy's own renewal, over a fresh connection, is refused at the handshake
        assertThatThrownBy(identity::renewNow).hasMessageContaining("the control plane");
        assertThat(auditTypes().stream().filter(t -> t.equals("svid.issued/allowed")).count()).isEqualTo(2);
    }

    /** Runs openssl s_client against the gRPC port with {@code client} as its certificate. */
    private Result opensslWith(X509Svid client, String... args) throws Exception {
        Path cert = Files.createTempFile(tmp, "cert", ".pem");
        Path key = Files.createTempFile(tmp, "key", ".pem");
        Files.writeString(cert, dev.aimesh.identity.x509.Pem.certificates(client.chain()));
        Files.writeString(key, dev.aimesh.identity.x509.Pem.privateKey(client.privateKey()));
        List<String> command = new java.util.ArrayList<>(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + mesh.grpc().getPort(),
                "-tls1_3", "-alpn", "h2", "-cert", cert.toString(), "-key", key.toString()));
        command.addAll(List.of(args));
        return CliProcess.run(command, java.util.Map.of(), Duration.ofSeconds(20));
    }

    @Test
    void theGrpcPortIssuesNoSessionTicketAndRefusesAnExpiredSvidWithItsAlertLoggedAndAudited() throws Exception {
        mesh("1h");
        WorkloadIdentity identity = closeLater(mesh.join("models/model"));
        Path session = tmp.resolve("session.pem");
        Result first = opensslWith(identity.svid(), "-sess_out", session.toString());
        assertThat(first.out()).as(first::toString).contains("New, TLSv1.3");
        assertThat(session).as("a session ticket would let a later connection skip the trust manager").doesNotExist();

        X509Svid expired = TestCa.svid(mesh.cp.ca().state().signing(), MODEL, Instant.now().minus(Duration.ofHours(2)),
                Duration.ofHours(1));
        Result refused = opensslWith(expired, "-ign_eof"); // TLS 1.3: the alert comes after the client finished
        assertThat(refused.out() + refused.err()).contains("alert certificate expired").doesNotContain("internal error");
        await().atMost(Duration.ofSeconds(5)).until(() -> Files.readAllLines(mesh.cp.auditLog()).stream()
                .anyMatch(l -> l.contains("\"peer-authn.refused\"") && l.contains("expired at " + expired.expiresAt())
                        && l.contains("\"listener\":\"grpc\"")));
    }

    @Test
    void protobufGarbageFromAnUnauthenticatedCallerIsRefusedWithoutAStackTrace() throws Exception {
        mesh("1h");
        List<java.util.logging.LogRecord> severe = new CopyOnWriteArrayList<>();
        java.util.logging.Handler capture = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord record) {
                if (record.getLevel().intValue() >= java.util.logging.Level.WARNING.intValue()) {
                    severe.add(record);
                }
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        java.util.logging.Logger grpc = java.util.logging.Logger.getLogger("io.grpc");
        grpc.addHandler(capture);
        try {
            ManagedChannel channel = ControlPlaneChannels.bootstrap(mesh.grpc(), mesh.token("apps/app").rootPins(), InstantSource.system());
            closeLater(channel::shutdownNow);
            io.grpc.MethodDescriptor.Marshaller<byte[]> raw = new io.grpc.MethodDescriptor.Marshaller<>() {
                @Override
                public InputStream stream(byte[] value) {
                    return new java.io.ByteArrayInputStream(value);
                }

                @Override
                public byte[] parse(InputStream stream) {
                    try {
                        return stream.readAllBytes();
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
            };
            var method = io.grpc.MethodDescriptor.<byte[], byte[]>newBuilder().setType(io.grpc.MethodDescriptor.MethodType.UNARY)
                    .setFullMethodName("aimesh.v1.IdentityService/SignCertificate").setRequestMarshaller(raw)
                    .setResponseMarshaller(raw).build();
            for (int i = 0; i < 3; i++) {
                assertThatThrownBy(() -> io.grpc.stub.ClientCalls.blockingUnaryCall(channel, method, io.grpc.CallOptions.DEFAULT,
                        new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f, 0x01}))
                        .isInstanceOfSatisfying(StatusRuntimeException.class,
                                e -> assertThat(e.getStatus().getCode()).isIn(Status.Code.INVALID_ARGUMENT));
            }
        } finally {
            grpc.removeHandler(capture);
        }
        assertThat(severe).extracting(r -> r.getLevel() + " " + r.getLoggerName() + ": " + r.getMessage()).isEmpty();
        WorkloadIdentity identity = closeLater(mesh.join("apps/app"));
        assertThat(identity.svid().id().path()).isEqualTo("/ns/apps/sa/app");
    }
}
