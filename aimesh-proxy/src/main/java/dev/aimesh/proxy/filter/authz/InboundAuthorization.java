package dev.aimesh.proxy.filter.authz;

import java.net.InetSocketAddress;
import java.time.InstantSource;
import java.util.Locale;
import java.util.Optional;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2StreamChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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
import dev.aimesh.core.resource.Workload;
import dev.aimesh.proxy.filter.common.SecurityEventSink;
import dev.aimesh.proxy.http.Routing;

/**
 * Authorizes each inbound request against the policies of this proxy's workload, compiled once per
 * snapshot ({@code agent.PolicyCompiler}) and swapped atomically, so a pushed change applies to the next request
 * on every open connection. Decides on the normalized path; a path that cannot be normalized without
 * guessing is refused before any policy is consulted. When a policy reads {@code request.model} and the
 * path names none, the body of any request that has one (whatever its path or method) is read for it;
 * a JSON body whose model cannot be read one way only is refused, and a model that cannot be determined
 * (a body that is not JSON, an upload) fails closed: DENY rules on it match, ALLOW rules do not. Denials are logged with the policy that decided, and reported with AUDIT matches and dry-run
 * verdicts that differ to the {@link SecurityEventSink}.
 */
public final class InboundAuthorization {
    private static final Logger log = LoggerFactory.getLogger(InboundAuthorization.class);
    /** Istio's body for a denied request, which clients and dashboards already recognise. */
    static final String DENIED = "RBAC: access denied";
    /** How much of a body is read to find the model it names; a larger body is refused when a rule needs it. */
    public static final int MODEL_BODY_LIMIT = 1024 * 1024;

    /** The policies and the path setting of one snapshot, swapped together. */
    private record Settings(Authorizer authorizer, Workload.ForwardedPath forwardedPath) {}

    private final AtomicReference<Settings> settings = new AtomicReference<>(
            new Settings(Authorizer.allowAll(), Workload.ForwardedPath.NORMALIZED));
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
        use(next, Workload.ForwardedPath.NORMALIZED);
    }

    /** @param forwardedPath whether the model server is sent the normalized path policy decided on, or the raw one */
    public void use(Authorizer next, Workload.ForwardedPath forwardedPath) {
        settings.set(new Settings(next, forwardedPath));
    }

    /**
     * Where the request goes: {@code allowed} when the policies allow it, a refusal when they do not or its
     * path is ambiguous, or, when a rule reads {@code request.model} and the path names none, an inspection
     * that reads the body (at most {@link #MODEL_BODY_LIMIT} bytes) and then decides. A request it lets through
     * has its URI rewritten to the normalized path before {@code forward} is asked, unless the workload asks
     * for the raw one.
     */
    public Routing route(Channel downstream, Optional<SpiffeId> peer, String sni, HttpRequest request, Optional<AuthzRequest.Token> token,
            Supplier<Routing> forward) {
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
        Settings now = settings.get();
        Supplier<Routing> allowed = now.forwardedPath() == Workload.ForwardedPath.RAW ? forward : () -> {
            // the server is sent what policy decided on (as Envoy's normalize_path and merge_slashes do); refusals
            // and their audit events keep the target as the caller sent it
            int query = request.uri().indexOf('?');
            request.setUri(query < 0 ? path : path + request.uri().substring(query));
            return forward.get();
        };
        Authorizer current = now.authorizer();
        if (current.isEmpty()) {
            return allowed.get();
        }
        String method = request.method().name();
        ModelCall call = ModelCall.of(method, path);
        if (current.readsModel() && call.model().isEmpty() && hasBody(downstream, request)) {
            if (!readableForModel(request)) { // an upload: the model cannot be read without buffering it all
                return decide(current, downstream, peer, sni, request, path, call.undetermined(), token, allowed);
            }
            return new Routing.Inspect(MODEL_BODY_LIMIT, (body, length, complete) -> {
                boolean json = json(request, body, length);
                if (!complete && json) {
                    return new Routing.Refuse(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "model-body-too-large",
                            "the body is larger than the " + MODEL_BODY_LIMIT + " bytes read to find its model for policy");
                }
                if (!complete || length == 0) {
                    return decide(current, downstream, peer, sni, request, path, length == 0 ? call : call.undetermined(),
                            token, allowed);
                }
                return switch (BodyModel.scan(body, length)) {
                    case BodyModel.Result.Refused refused when !json -> decide(current, downstream, peer, sni, request, path,
                            call.undetermined(), token, allowed); // not JSON: what the server reads in it is unknown
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

    /**
     * Whether the request has a body: HTTP/1.1 says so with Content-Length or Transfer-Encoding; an HTTP/2
     * stream has one unless it ended with its headers.
     */
    private static boolean hasBody(Channel downstream, HttpRequest request) {
        if (request instanceof LastHttpContent full) {
            return full.content().isReadable();
        }
        if (HttpUtil.isTransferEncodingChunked(request)) {
            return true;
        }
        long length = HttpUtil.getContentLength(request, -1L);
        return length > 0 || length < 0 && downstream instanceof Http2StreamChannel;
    }

    /** Bodies read for their model: any but multipart and raw binary uploads, which hold no JSON to read. */
    private static boolean readableForModel(HttpRequest request) {
        String type = request.headers().get(HttpHeaderNames.CONTENT_TYPE, "").toLowerCase(Locale.ROOT);
        return !type.startsWith("multipart/") && !type.startsWith("application/octet-stream") && !type.startsWith("audio/")
                && !type.startsWith("image/") && !type.startsWith("video/");
    }

    /** Whether the body is meant as JSON: its type says so, or it starts like a JSON object (after a BOM). */
    private static boolean json(HttpRequest request, byte[] body, int length) {
        if (request.headers().get(HttpHeaderNames.CONTENT_TYPE, "").toLowerCase(Locale.ROOT).contains("json")) {
            return true;
        }
        for (int i = 0; i < length; i++) {
            int c = body[i] & 0xff;
            if (c != ' ' && c != '\t' && c != '\r' && c != '\n' && c != 0xef && c != 0xbb && c != 0xbf) {
                return c == '{' || c == '[';
            }
        }
        return false;
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
        log.warn("denied {} {} from {}{}: {}", method, path, who(peer), call.modelUndetermined()
                ? " (model not determined: a rule on request.model fails closed)" : call.model().map(m -> " (model " + m + ")").orElse(""),
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
