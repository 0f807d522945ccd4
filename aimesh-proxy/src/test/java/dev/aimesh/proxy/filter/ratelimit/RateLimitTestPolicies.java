package dev.aimesh.proxy.filter.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import dev.aimesh.core.ai.TokenCounter;
import dev.aimesh.core.audit.SecurityEvent;
import dev.aimesh.core.authz.Authorizer;
import dev.aimesh.core.dlp.DlpRules;
import dev.aimesh.core.ratelimit.RateLimits;
import dev.aimesh.core.resource.ConfigLoader;
import dev.aimesh.core.resource.RateLimitPolicy;
import dev.aimesh.proxy.filter.FilterChain;
import dev.aimesh.proxy.filter.TestExchanges;
import dev.aimesh.proxy.filter.common.SecurityEventSink;
import dev.aimesh.proxy.snapshot.ProxySnapshot;

/** The limits the filter's tests run under, a tokenizer easy to count with, and a sink that keeps what is reported. */
final class RateLimitTestPolicies {
    /** One token a word. */
    static final TokenCounter WORDS = text -> text.isBlank() ? 0 : text.trim().split("\\s+").length;

    private RateLimitTestPolicies() {}

    static RateLimits limits(String limitsYaml) {
        var loaded = ConfigLoader.load(List.of(new ConfigLoader.SourceFile("limits.yaml", """
                apiVersion: aimesh.dev/v1alpha1
                kind: RateLimitPolicy
                metadata: {name: budget, namespace: models}
                spec:
                """ + limitsYaml.indent(2))));
        assertThat(loaded.diagnostics()).isEmpty();
        return RateLimits.compile(loaded.resources().stream().map(RateLimitPolicy.class::cast).toList());
    }

    static ProxySnapshot snapshot(RateLimits limits, FilterChain chain) {
        ProxySnapshot.Policy base = TestExchanges.policy("r1", Authorizer.allowAll());
        return TestExchanges.snapshot(new ProxySnapshot.Policy("r1", base.authorizer(), base.authenticator(), base.mtls(),
                base.network(), base.registry(), base.forwardedPath(), DlpRules.NONE, limits), chain);
    }

    static RateLimitConfig config(SecurityEventSink events) {
        return new RateLimitConfig(events, new LocalCounters(LocalCounters.DEFAULT_MAX_KEYS), WORDS, 64 * 1024, 1024);
    }

    /** Keeps every event reported. */
    static final class Events implements SecurityEventSink {
        final List<SecurityEvent> reported = new ArrayList<>();

        @Override
        public void report(SecurityEvent.Type type, Map<SecurityEvent.Field, String> fields) {
            reported.add(new SecurityEvent(type, java.time.Instant.EPOCH, fields));
        }
    }
}
