package dev.aimesh.controlplane.grpc;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A request that is not a valid protobuf message (anyone may send one: first contact needs no certificate)
 * is answered {@code INVALID_ARGUMENT} with one WARN line, at most one a second with the count of the others,
 * instead of gRPC's SEVERE stack trace per call and an {@code UNKNOWN} status. The service receives its
 * messages as streams and this parses them, where a failure can still close the call.
 */
final class MalformedMessages implements ServerInterceptor {
    private static final Logger log = LoggerFactory.getLogger(MalformedMessages.class);
    private final InstantSource clock;
    private Instant lastLogged = Instant.EPOCH;
    private long unlogged;

    private MalformedMessages(InstantSource clock) {
        this.clock = clock;
    }

    /** The service with its messages parsed here. */
    static ServerServiceDefinition guard(ServerServiceDefinition service, InstantSource clock) {
        return ServerInterceptors.intercept(ServerInterceptors.useInputStreamMessages(service), new MalformedMessages(clock));
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(next.startCall(call, headers)) {
            private boolean refused;

            @Override
            public void onMessage(Q message) {
                if (refused) {
                    return;
                }
                try {
                    super.onMessage(message); // the original method's parser runs here
                } catch (StatusRuntimeException e) {
                    if (!(e.getStatus().getCause() instanceof InvalidProtocolBufferException invalid)) {
                        throw e;
                    }
                    refused = true;
                    String method = call.getMethodDescriptor().getFullMethodName();
                    report(method, call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR), invalid.getMessage());
                    call.close(Status.INVALID_ARGUMENT.withDescription("the request is not a valid " + method + " message"),
                            new Metadata());
                }
            }

            @Override
            public void onHalfClose() {
                if (!refused) {
                    super.onHalfClose();
                }
            }
        };
    }

    private void report(String method, Object remote, String reason) {
        long others;
        synchronized (this) {
            Instant now = clock.instant();
            if (Duration.between(lastLogged, now).compareTo(Duration.ofSeconds(1)) < 0) {
                unlogged++;
                return;
            }
            lastLogged = now;
            others = unlogged;
            unlogged = 0;
        }
        log.warn("refused a gRPC call to {} from {}: the request is not a valid protobuf message ({}){}", method, remote, reason,
                others > 0 ? "; " + others + " more such calls since the last line" : "");
    }
}
