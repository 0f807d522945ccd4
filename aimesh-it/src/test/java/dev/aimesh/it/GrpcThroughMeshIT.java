package dev.aimesh.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import com.google.protobuf.ByteString;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import dev.aimesh.api.v1.IdentityServiceGrpc;
import dev.aimesh.api.v1.SignCertificateRequest;
import dev.aimesh.api.v1.SignCertificateResponse;
import dev.aimesh.proxy.Proxy;
import dev.aimesh.proxy.http.ProxyLimits;

/**
 * A gRPC client calls a gRPC model server through the proxy pair: h2c into the outbound proxy, HTTP/2
 * over mTLS between proxies, h2c to the server. Headers, trailers and error statuses arrive whole.
 */
class GrpcThroughMeshIT {
    private static final Metadata.Key<String> XFCC = Metadata.Key.of("x-forwarded-client-cert", Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> MODEL_VERSION = Metadata.Key.of("x-model-version", Metadata.ASCII_STRING_MARSHALLER);
    private static final Context.Key<String> SEEN_XFCC = Context.key("xfcc");

    @TempDir
    static Path tmp;
    private static TestMesh mesh;
    private static Server grpcModel;
    private static Proxy server;
    private static Proxy client;
    private static ManagedChannel channel;

    /** Any gRPC service serves as a model: this one echoes the caller's identity header and sets a trailer. */
    private static final class EchoIdentity extends IdentityServiceGrpc.IdentityServiceImplBase {
        @Override
        public void signCertificate(SignCertificateRequest request, StreamObserver<SignCertificateResponse> response) {
            if (request.getCsr().isEmpty()) {
                response.onError(Status.INVALID_ARGUMENT.withDescription("the model needs input").asRuntimeException());
                return;
            }
            response.onNext(SignCertificateResponse.newBuilder().setSpiffeId(SEEN_XFCC.get())
                    .setWorkload(request.getCsr().toStringUtf8().toUpperCase(java.util.Locale.ROOT)).build());
            response.onCompleted();
        }
    }

    private static final class Trailers implements ServerInterceptor {
        @Override
        public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
            Context context = Context.current().withValue(SEEN_XFCC, String.valueOf(headers.get(XFCC)));
            return Contexts.interceptCall(context, new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
                @Override
                public void close(Status status, Metadata trailers) {
                    trailers.put(MODEL_VERSION, "v7");
                    super.close(status, trailers);
                }
            }, headers, next);
        }
    }

    @BeforeAll
    static void start() throws Exception {
        mesh = new TestMesh(tmp, TestMesh.meshWithLifetime("1h"), InstantSource.system());
        grpcModel = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(ServerInterceptors.intercept(new EchoIdentity(), new Trailers())).build().start();
        server = mesh.serverProxy("models/model", (InetSocketAddress) grpcModel.getListenSockets().get(0), true, ProxyLimits.DEFAULTS);
        client = mesh.clientProxy("apps/app");
        await().atMost(Duration.ofSeconds(10)).until(() -> !client.registry().workload("models", "model").orElseThrow()
                .endpoints().isEmpty());
        channel = NettyChannelBuilder.forAddress(client.outboundAddress().orElseThrow()).usePlaintext()
                .overrideAuthority("model.models").build();
    }

    @AfterAll
    static void stop() throws Exception {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        client.close();
        server.close();
        grpcModel.shutdownNow();
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
        assertThat(trailers.get().get(MODEL_VERSION)).isEqualTo("v7");
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
        assertThat(trailers.get().get(MODEL_VERSION)).isEqualTo("v7");
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
