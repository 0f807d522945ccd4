package dev.aimesh.proxy.filter.authz;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import dev.aimesh.core.ai.ModelCall;
import dev.aimesh.core.audit.SecurityEvent.Field;
import dev.aimesh.core.audit.SecurityEvent.Type;
import dev.aimesh.core.authz.Authorizer;
import dev.aimesh.core.authz.AuthzDecision;
import dev.aimesh.core.authz.AuthzRequest;
import dev.aimesh.core.resource.Workload;
import dev.aimesh.proxy.filter.ExchangeContext;
import dev.aimesh.proxy.filter.FilterDecision;
import dev.aimesh.proxy.filter.HttpFilter;
import dev.aimesh.proxy.filter.RequestHead;
import dev.aimesh.proxy.filter.common.ExchangeEvents;

/**
 * Authorizes each inbound request against the policies of the exchange's snapshot, on the attributes the
 * filters before it established (normalized path, model call, end-user token) and the verified peer. A denied
 * request gets Istio's 403 {@code RBAC: access denied}, logged with the policy that decided and reported with
 * AUDIT matches and dry-run verdicts that differ. A request it lets through has its target rewritten to the
 * normalized path (the one policy decided on), unless the workload asks for the raw one.
 */
public final class AuthorizationFilter implements HttpFilter {
    private static final Logger log = LoggerFactory.getLogger(AuthorizationFilter.class);
    /** Istio's body for a denied request, which clients and dashboards already recognise. */
    static final String DENIED = "RBAC: access denied";

    private final AuthorizationConfig config;

    public AuthorizationFilter(AuthorizationConfig config) {
        this.config = config;
    }

    @Override
    public String name() {
        return "authz";
    }

    @Override
    public FilterDecision onRequestHeaders(ExchangeContext exchange, RequestHead head) {
        String path = exchange.path();
        if (path == null) {
            throw new IllegalStateException("no normalized path: the ai-attributes filter must come before authz");
        }
        Authorizer authorizer = exchange.snapshot().authorizer();
        if (!authorizer.isEmpty()) {
            FilterDecision.Respond denied = decide(authorizer, exchange, head, path);
            if (denied != null) {
                return denied;
            }
        }
        if (exchange.snapshot().forwardedPath() == Workload.ForwardedPath.NORMALIZED) {
            // the server is sent what policy decided on (as Envoy's normalize_path and merge_slashes do); refusals
            // and their audit events keep the target as the caller sent it
            String target = head.path();
            int query = target.indexOf('?');
            head.setPath(query < 0 ? path : path + target.substring(query));
        }
        return FilterDecision.CONTINUE;
    }

    /** The refusal, or null when the policies allow the request. */
    private FilterDecision.Respond decide(Authorizer authorizer, ExchangeContext exchange, RequestHead head, String path) {
        ModelCall call = exchange.call();
        String authority = head.authority();
        AuthzRequest attributes = AuthzRequest.builder(head.method(), path)
                .peer(exchange.peerId())
                .sourceIp(address(exchange.remoteAddress()))
                .destinationIp(address(exchange.localAddress()))
                .destinationPort(config.destinationPort())
                .sni(exchange.peer() == null ? "" : exchange.peer().sni())
                .host(authority == null ? "" : authority)
                .headers(head::get)
                .model(call)
                .token(exchange.token())
                .time(config.clock().instant())
                .build();
        AuthzDecision decision = authorizer.decide(attributes);
        String who = ExchangeEvents.who(exchange);
        decision.dryRun().filter(d -> d.allowed() != decision.allowed()).ifPresent(d -> {
            log.info("dry-run: {} {} from {} would be {}: {}", head.method(), path, who, d.verdict(), d.reason());
            report(Type.AUTHZ_DRY_RUN, exchange, call.model(), d.policy().orElse(""), d.rule(),
                    "would " + d.verdict() + ": " + d.reason());
        });
        if (!decision.audited().isEmpty()) {
            String audited = String.join(", ", decision.audited());
            log.info("audit: {} {} from {} ({}): {}", head.method(), path, who, audited, decision.reason());
            report(Type.AUTHZ_AUDIT, exchange, call.model(), audited, -1, decision.reason());
        }
        if (decision.allowed()) {
            return null;
        }
        log.warn("denied {} {} from {}{}: {} (snapshot {})", head.method(), path, who, call.modelUndetermined()
                ? " (model not determined: a rule on request.model fails closed)" : call.model().map(m -> " (model " + m + ")").orElse(""),
                decision.reason(), exchange.snapshot().version());
        report(Type.AUTHZ_DENIED, exchange, call.model(), decision.policy().orElse(""), decision.rule(), decision.reason());
        return new FilterDecision.Respond(403, "rbac-denied", DENIED);
    }

    /** @param rule the index of the rule that decided, or -1 for none */
    private void report(Type type, ExchangeContext exchange, Optional<String> model, String policy, int rule, String reason) {
        ExchangeEvents.report(config.events(), type, exchange, Map.of(Field.POLICY, policy,
                Field.RULE, rule < 0 ? "" : Integer.toString(rule), Field.REASON, reason, Field.MODEL, model.orElse("")));
    }

    private static byte[] address(SocketAddress address) {
        return address instanceof InetSocketAddress inet && inet.getAddress() != null ? inet.getAddress().getAddress() : null;
    }
}
