package dev.aimesh.proxy.filter;

import static java.util.Objects.requireNonNull;

import dev.aimesh.proxy.http.UpstreamConnector;

/**
 * Where a {@link FilterChain}'s request phase ended: forwarded to the upstream its terminal picked, answered
 * by the proxy, or waiting for the request body a filter holds.
 */
public sealed interface ChainStep permits ChainStep.Forward, FilterDecision.Respond, FilterDecision.Hold {
    record Forward(UpstreamConnector upstream) implements ChainStep {
        public Forward {
            requireNonNull(upstream, "upstream");
        }
    }
}
