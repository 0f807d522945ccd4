package dev.aimesh.proxy.filter.dlp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import dev.aimesh.core.audit.SecurityEvent;
import dev.aimesh.core.authz.Authorizer;
import dev.aimesh.core.authz.PolicySelection;
import dev.aimesh.core.dlp.DlpRules;
import dev.aimesh.core.dlp.ValueHashes;
import dev.aimesh.core.resource.ConfigLoader;
import dev.aimesh.core.resource.MeshConfig;
import dev.aimesh.proxy.filter.FilterChain;
import dev.aimesh.proxy.filter.TestExchanges;
import dev.aimesh.proxy.filter.common.SecurityEventSink;
import dev.aimesh.proxy.snapshot.ProxySnapshot;

/** The DLP policies the filter's tests run under, and a sink that keeps what they report. */
final class DlpTestPolicies {
    /** Cards blocked in prompts; e-mail addresses redacted in responses to callers of the dev namespace; SSNs masked. */
    static final String POLICY = """
            apiVersion: aimesh.dev/v1alpha1
            kind: DataLossPreventionPolicy
            metadata: {name: sentiment, namespace: models}
            spec:
              rules:
                - {name: no-cards, direction: request, detectors: [payment-card], action: block}
                - {name: ssn, detectors: [us-ssn], action: mask}
                - name: dev-mail
                  direction: response
                  detectors: [email]
                  action: redact
                  callers: {namespaces: [dev]}
              inspection: {maxBodyBytes: 256}
            """;

    private DlpTestPolicies() {}

    static DlpRules rules(String yaml) {
        var loaded = ConfigLoader.load(List.of(new ConfigLoader.SourceFile("dlp.yaml", yaml)));
        assertThat(loaded.diagnostics()).isEmpty();
        MeshConfig config = MeshConfig.assemble(loaded.resources()).config();
        return DlpRules.compile(PolicySelection.dataLossPreventionFor(config.dataLossPreventionPolicies(), "istio-system",
                "models", "sentiment", Map.of()), new ValueHashes("0123456789abcdef".getBytes(StandardCharsets.US_ASCII)));
    }

    static ProxySnapshot.Policy policy(DlpRules rules) {
        ProxySnapshot.Policy base = TestExchanges.policy("d1", Authorizer.allowAll());
        return new ProxySnapshot.Policy("d1", base.authorizer(), base.authenticator(), base.mtls(), base.network(),
                base.registry(), base.forwardedPath(), rules);
    }

    static ProxySnapshot snapshot(DlpRules rules, FilterChain chain) {
        return TestExchanges.snapshot(policy(rules), chain);
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
