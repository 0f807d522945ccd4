package dev.aimesh.proxy.filter.destination;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Optional;
import dev.aimesh.core.registry.ServiceNames;
import dev.aimesh.core.registry.WorkloadEntry;
import dev.aimesh.proxy.filter.ExchangeContext;
import dev.aimesh.proxy.filter.FilterDecision;
import dev.aimesh.proxy.filter.HttpFilter;
import dev.aimesh.proxy.filter.RequestHead;
import dev.aimesh.proxy.snapshot.RegistryIndex;

/**
 * Outbound: which workload a call is for, from the absolute-form URI (as an app using {@code HTTP_PROXY} sends,
 * which becomes origin form here) or else the Host header, looked up in the snapshot's registry; the
 * exchange's {@link ExchangeContext#destination()} and {@link ExchangeContext#authority()} for the filters
 * after it and the route. A call that names nothing the mesh knows is answered here (400, 502; 503 before the
 * first snapshot).
 */
public final class DestinationFilter implements HttpFilter {
    private final DestinationConfig config;

    public DestinationFilter(DestinationConfig config) {
        this.config = config;
    }

    @Override
    public String name() {
        return "destination";
    }

    @Override
    public FilterDecision onRequestHeaders(ExchangeContext exchange, RequestHead head) {
        String authority = head.authority();
        String target = head.path();
        if (!target.startsWith("/")) {
            try {
                URI absolute = new URI(target);
                if (absolute.getRawAuthority() == null || !"http".equalsIgnoreCase(absolute.getScheme())) {
                    return new FilterDecision.Respond(400, "bad-target", "the request target '" + target
                            + "' is neither a path nor an absolute http:// URI");
                }
                authority = absolute.getRawAuthority();
                String path = absolute.getRawPath() == null || absolute.getRawPath().isEmpty() ? "/" : absolute.getRawPath();
                head.setPath(absolute.getRawQuery() == null ? path : path + "?" + absolute.getRawQuery());
            } catch (URISyntaxException e) {
                return new FilterDecision.Respond(400, "bad-target", "the request target is not a valid URI");
            }
        }
        if (authority == null || authority.isEmpty()) {
            return new FilterDecision.Respond(400, "no-destination", "the request names no destination (no Host header)");
        }
        RegistryIndex registry = exchange.snapshot().registry();
        if (!registry.known()) {
            return new FilterDecision.Respond(503, "no-config", "the proxy has no configuration yet");
        }
        Optional<WorkloadEntry> destination = authority.length() > config.maxAuthorityChars() ? Optional.empty()
                : registry.byHost(authority);
        if (destination.isEmpty()) {
            return new FilterDecision.Respond(502, "unknown-destination", "'" + ServiceNames.stripPort(authority)
                    + "' is not a workload of the mesh (try name.namespace)");
        }
        exchange.destination(destination.get());
        exchange.authority(authority);
        return FilterDecision.CONTINUE;
    }
}
