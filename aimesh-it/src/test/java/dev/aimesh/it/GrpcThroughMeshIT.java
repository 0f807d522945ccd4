package dev.aimesh.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import dev.aimesh.api.v1.IdentityServiceGrpc;
import dev.aimesh.api.v1.SignCertificateRequest;
import dev.aimesh.api.v1.SignCertificateResponse;
import dev.aimesh.proxy.Proxy;
import dev.aimesh.proxy.http.ProxyLimits;
import dev.aimesh.testkit.GrpcEchoModel;
import dev.aimesh.testkit.TestMesh;

/**
 * A gRPC client calls a gRPC model server through the proxy pair: h2c into the outbound proxy, HTTP/2
 * over mTLS between proxies, h2c to the server. Headers, trailers and error statuses arrive whole.
 */
class GrpcThroughMeshIT {
    @TempDir
    static Path tmp;
    private static TestMesh mesh;
    private static GrpcEchoModel grpcModel;
    private static Proxy server;
    private static Proxy client;
    private static ManagedChannel channel;

    @BeforeAll
    static void start() throws Exception {
        mesh = new TestMesh(tmp, TestMesh.meshWithLifetime("1h"), InstantSource.system());
        grpcModel = new GrpcEchoModel();
        server = mesh.serverProxy("models/model", grpcModel.address(), true, ProxyLimits.DEFAULTS);
        client = mesh.clientProxy("apps/app");
        TestMesh.awaitModelEndpoint(client);
        channel = NettyChannelBuilder.forAddress(client.outboundAddress().orElseThrow()).usePlaintext()
                .overrideAuthority("model.models").build();
    }

    @AfterAll
    static void stop() throws Exception {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        client.close();
        server.close();
        grpcModel.close();
        mesh.close();
    }

    @Test
    void aUnaryCallCarriesHeadersAndTrailersThroughThePair() {
        AtomicReference<Metadata> headers = new AtomicReference<>();
        AtomicReference<Metadata> trailers = new AtomicReference<>();
        var stub = IdentityServiceGrpc.newBlockingStub(channel)
                .withInterceptors(MetadataUtils.newCaptureMetadataInterceptor(headers, trailers))
                .withDeadlineAfter(10, TimeUnit.SECONDS);
        SignCertificateResponse response = stub.signCertificate(SignCertificateRequest.newBuilder()
                .setCsr(ByteString.copyFromUtf8("classify me")).build());
        assertThat(response.getWorkload()).isEqualTo("CLASSIFY ME");
        assertThat(response.getSpiffeId()).contains("URI=spiffe://it.example/ns/apps/sa/app")
                .startsWith("By=spiffe://it.example/ns/models/sa/llm;");
        assertThat(trailers.get().get(GrpcEchoModel.MODEL_VERSION)).isEqualTo("v7");
    }

    @Test
    void anErrorStatusAndItsTrailersComeBack() {
        AtomicReference<Metadata> headers = new AtomicReference<>();
        AtomicReference<Metadata> trailers = new AtomicReference<>();
        var stub = IdentityServiceGrpc.newBlockingStub(channel)
                .withInterceptors(MetadataUtils.newCaptureMetadataInterceptor(headers, trailers))
                .withDeadlineAfter(10, TimeUnit.SECONDS);
        assertThatThrownBy(() -> stub.signCertificate(SignCertificateRequest.getDefaultInstance()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).isEqualTo("the model needs input");
                });
        assertThat(trailers.get().get(GrpcEchoModel.MODEL_VERSION)).isEqualTo("v7");
    }

    @Test
    void manyConcurrentCallsShareOneConnectionBetweenProxies() throws Exception {
        var stub = IdentityServiceGrpc.newFutureStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS);
        var calls = new java.util.ArrayList<com.google.common.util.concurrent.ListenableFuture<SignCertificateResponse>>();
        for (int i = 0; i < 200; i++) {
            calls.add(stub.signCertificate(SignCertificateRequest.newBuilder().setCsr(ByteString.copyFromUtf8("n" + i)).build()));
        }
        for (int i = 0; i < calls.size(); i++) {
            assertThat(calls.get(i).get(20, TimeUnit.SECONDS).getWorkload()).isEqualTo("N" + i);
        }
    }
}
