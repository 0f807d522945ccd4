package dev.aimesh.testkit;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Locale;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import dev.aimesh.api.v1.IdentityServiceGrpc;
import dev.aimesh.api.v1.SignCertificateRequest;
import dev.aimesh.api.v1.SignCertificateResponse;

/**
 * A stand-in gRPC model (any generated service serves): answers with the upper-cased input, echoes the
 * caller's x-forwarded-client-cert, sets the trailer {@code x-model-version: v7}, and fails with
 * INVALID_ARGUMENT on empty input.
 */
public final class GrpcEchoModel implements AutoCloseable {
    public static final Metadata.Key<String> MODEL_VERSION = Metadata.Key.of("x-model-version", Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> XFCC = Metadata.Key.of("x-forwarded-client-cert", Metadata.ASCII_STRING_MARSHALLER);
    private static final Context.Key<String> SEEN_XFCC = Context.key("xfcc");

    private final Server server;

    public GrpcEchoModel() throws IOException {
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(ServerInterceptors.intercept(new Echo(), new Trailers())).build().start();
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) server.getListenSockets().get(0);
    }

    @Override
    public void close() {
        server.shutdownNow();
    }

    private static final class Echo extends IdentityServiceGrpc.IdentityServiceImplBase {
        @Override
        public void signCertificate(SignCertificateRequest request, StreamObserver<SignCertificateResponse> response) {
            if (request.getCsr().isEmpty()) {
                response.onError(Status.INVALID_ARGUMENT.withDescription("the model needs input").asRuntimeException());
                return;
            }
            response.onNext(SignCertificateResponse.newBuilder().setSpiffeId(SEEN_XFCC.get())
                    .setWorkload(request.getCsr().toStringUtf8().toUpperCase(Locale.ROOT)).build());
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
}
