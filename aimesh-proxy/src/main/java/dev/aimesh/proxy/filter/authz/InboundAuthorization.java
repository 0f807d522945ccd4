package dev.aimesh.proxy.filter.authz;

import java.net.InetSocketAddress;
import java.time.InstantSource;
import java.util.Optional;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import dev.aimesh.core.ai.AiOperation;
import dev.aimesh.core.audit.SecurityEvent;
import dev.aimesh.core.audit.SecurityEvent.Field;
import dev.aimesh.core.audit.SecurityEvent.Type;
import dev.aimesh.core.ai.BodyModel;
import dev.aimesh.core.ai.ModelCall;
import dev.aimesh.core.authz.Authorizer;
import dev.aimesh.core.authz.AuthzDecision;
import dev.aimesh.core.authz.AuthzRequest;
import dev.aimesh.core.http.RequestPath;
import dev.aimesh.core.identity.SpiffeId;
import dev.aimesh.proxy.filter.common.SecurityEventSink;
import dev.aimesh.proxy.http.Routing;

/**
 * Authorizes each inbound request against the policies of this proxy's workload, compiled once per
 * snapshot ({@code agent.PolicyCompiler}) and swapped atomically, so a pushed change applies to the next request
 * on every open connection. Decides on the normalized path; a path that cannot be normalized without
 * guessing is refused before any policy is consulted; so is a body whose model cannot be read one way
 * only. Denials are logged with the policy that decided, and reported with AUDIT matches and dry-run
 * verdicts that differ to the {@link SecurityEventSink}.
 */
public final class InboundAuthorization {
    private static final Logger log = LoggerFactory.getLogger(InboundAuthorization.class);
    /** Istio's body for a denied request, which clients and dashboards already recognise. */
    static final String DENIED = "RBAC: access denied";
    /** How much of a body is read to find the model it names; a larger body is refused when a rule needs it. */
    public static final int MODEL_BODY_LIMIT = 1024 * 1024;
    private static final Set<AiOperation> BODY_NAMES_MODEL = EnumSet.of(AiOperation.CHAT, AiOperation.COMPLETIONS,
            AiOperation.EMBEDDINGS);

    private final AtomicReference<Authorizer> authorizer = new AtomicReference<>(Authorizer.allowAll());
    private final int destinationPort;
    private final InstantSource clock;
    private final SecurityEventSink events;

    /** @param destinationPort the model server's port, which {@code ports} and {@code destination.port} name */
    public InboundAuthorization(int destinationPort, InstantSource clock, SecurityEventSink events) {
        this.destinationPort = destinationPort;
        this.clock = clock;
        this.events = events;
    }

    public void use(Authorizer next) {
        authorizer.set(next);
    }

    /**
     * Where the request goes: {@code allowed} when the policies allow it, a refusal when they do not or its
     * path is ambiguous, or, when a rule reads {@code request.model} from an OpenAI-style body, an
     * inspection that reads the body (at most {@link #MODEL_BODY_LIMIT} bytes) and then decides.
     */
    public Routing route(Channel downstream, Optional<SpiffeId> peer, String sni, HttpRequest request, Optional<AuthzRequest.Token> token,
            Supplier<Routing> allowed) {
        String path;
        switch (RequestPath.normalize(request.uri())) {
            case RequestPath.Result.Refused refused -> {
                log.warn("refused {} {} from {}: {}", request.method(), request.uri(), who(peer), refused.reason());
                report(Type.REQUEST_REFUSED, downstream, peer, request, Optional.empty(), "", -1,
                        "ambiguous-path: " + refused.reason());
                return new Routing.Refuse(HttpResponseStatus.BAD_REQUEST, "ambiguous-path", refused.reason());
            }
            case RequestPath.Result.Normalized normalized -> path = normalized.path();
        }
        Authorizer current = authorizer.get();
        if (current.isEmpty()) {
            return allowed.get();
        }
        String method = request.method().name();
        ModelCall call = ModelCall.of(method, path);
        if (current.readsModel() && call.model().isEmpty() && call.operation().filter(BODY_NAMES_MODEL::contains).isPresent()) {
            return new Routing.Inspect(MODEL_BODY_LIMIT, (body, length, complete) -> {
                if (!complete) {
                    return new Routing.Refuse(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "model-body-too-large",
                            "the body is larger than the " + MODEL_BODY_LIMIT + " bytes read to find its model for policy");
                }
                return switch (BodyModel.scan(body, length)) {
                    case BodyModel.Result.Refused refused -> {
                        log.warn("refused {} {} from {}: {}", method, path, who(peer), refused.reason());
                        report(Type.REQUEST_REFUSED, downstream, peer, request, Optional.empty(), "", -1,
                                "ambiguous-model: " + refused.reason());
                        yield new Routing.Refuse(HttpResponseStatus.BAD_REQUEST, "ambiguous-model", refused.reason());
                    }
                    case BodyModel.Result.Found found -> decide(current, downstream, peer, sni, request, path,
                            call.withBodyModel(Optional.of(found.model())), token, allowed);
                    case BodyModel.Result.Absent absent -> decide(current, downstream, peer, sni, request, path, call, token,
                            allowed);
                };
            });
        }
        return decide(current, downstream, peer, sni, request, path, call, token, allowed);
    }

    private Routing decide(Authorizer current, Channel downstream, Optional<SpiffeId> peer, String sni, HttpRequest request,
            String path, ModelCall call, Optional<AuthzRequest.Token> token, Supplier<Routing> allowed) {
        String method = request.method().name();
        AuthzRequest attributes = AuthzRequest.builder(method, path)
                .peer(peer)
                .sourceIp(address(downstream.remoteAddress()))
                .destinationIp(address(downstream.localAddress()))
                .destinationPort(destinationPort)
                .sni(sni)
                .host(request.headers().get(HttpHeaderNames.HOST, ""))
                .headers(name -> request.headers().get(name))
                .model(call)
                .token(token)
                .time(clock.instant())
                .build();
        AuthzDecision decision = current.decide(attributes);
        decision.dryRun().filter(d -> d.allowed() != decision.allowed()).ifPresent(d -> {
            log.info("dry-run: {} {} from {} would be {}: {}", method, path, who(peer), d.verdict(), d.reason());
            report(Type.AUTHZ_DRY_RUN, downstream, peer, request, call.model(), d.policy().orElse(""), d.rule(),
                    "would " + d.verdict() + ": " + d.reason());
        });
        if (!decision.audited().isEmpty()) {
            String audited = String.join(", ", decision.audited());
            log.info("audit: {} {} from {} ({}): {}", method, path, who(peer), audited, decision.reason());
            report(Type.AUTHZ_AUDIT, downstream, peer, request, call.model(), audited, -1, decision.reason());
        }
        if (decision.allowed()) {
            return allowed.get();
        }
        log.warn("denied {} {} from {}{}: {}", method, path, who(peer), call.model().map(m -> " (model " + m + ")").orElse(""),
                decision.reason());
        report(Type.AUTHZ_DENIED, downstream, peer, request, call.model(), decision.policy().orElse(""), decision.rule(),
                decision.reason());
        return new Routing.Refuse(HttpResponseStatus.FORBIDDEN, "rbac-denied", DENIED);
    }

    /** @param rule the index of the rule that decided, or -1 for none */
    private void report(Type type, Channel downstream, Optional<SpiffeId> peer, HttpRequest request, Optional<String> model,
            String policy, int rule, String reason) {
        events.report(type, Map.of(Field.METHOD, request.method().name(),
                Field.PATH, request.uri(), Field.CALLER, SecurityEventSink.caller(peer, downstream.remoteAddress()),
                Field.POLICY, policy, Field.RULE, rule < 0 ? "" : Integer.toString(rule), Field.REASON, reason,
                Field.MODEL, model.orElse("")));
    }

    private static String who(Optional<SpiffeId> peer) {
        return peer.map(SpiffeId::toString).orElse("a plain-text caller");
    }

    private static byte[] address(java.net.SocketAddress address) {
        return address instanceof InetSocketAddress inet && inet.getAddress() != null ? inet.getAddress().getAddress() : null;
    }
}
