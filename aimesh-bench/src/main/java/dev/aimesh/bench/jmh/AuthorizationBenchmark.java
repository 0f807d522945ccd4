package dev.aimesh.bench.jmh;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import dev.aimesh.core.ai.ModelCall;
import dev.aimesh.core.authz.Authorizer;
import dev.aimesh.core.authz.AuthzDecision;
import dev.aimesh.core.authz.AuthzRequest;
import dev.aimesh.core.http.RequestPath;
import dev.aimesh.core.identity.SpiffeId;
import dev.aimesh.core.resource.ConfigLoader;
import dev.aimesh.core.resource.MeshConfig;

/**
 * Target P8: one authorization decision against 1,000 rules (principal x method x path), as the proxy makes
 * it per request, sampled so that p50 and p99 come out: the rule that matches is the last one, a caller that
 * no rule names (denied after every rule that could apply was tried), and the decision including the path's
 * normalization. The rules are {@code rules} ALLOW rules in 10 policies, plus one DENY policy with a path
 * rule every request is tested against.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class AuthorizationBenchmark {
    @Param("1000")
    int rules;

    private Authorizer authorizer;
    private AuthzRequest lastRule;
    private AuthzRequest unknownCaller;
    private String rawPath;

    @Setup
    public void setUp() {
        StringBuilder yaml = new StringBuilder();
        int policies = 10;
        for (int p = 0; p < policies; p++) {
            yaml.append("""
                    apiVersion: security.istio.io/v1
                    kind: AuthorizationPolicy
                    metadata: {name: callers-%d, namespace: models}
                    spec:
                      rules:
                    """.formatted(p));
            for (int r = p * rules / policies; r < (p + 1) * rules / policies; r++) {
                yaml.append("""
                          - from: [{source: {principals: ["cluster.local/ns/apps/sa/app-%d"]}}]
                            to: [{operation: {methods: ["%s"], paths: ["/v1/models/model-%d/{**}"]}}]
                        """.formatted(r, r % 2 == 0 ? "POST" : "GET", r));
            }
            yaml.append("---\n");
        }
        yaml.append("""
                apiVersion: security.istio.io/v1
                kind: AuthorizationPolicy
                metadata: {name: no-admin, namespace: models}
                spec:
                  action: DENY
                  rules: [{to: [{operation: {paths: ["/admin/*"]}}]}]
                """);
        var loaded = ConfigLoader.load(List.of(new ConfigLoader.SourceFile("bench.yaml", yaml.toString())));
        if (!loaded.ok()) {
            throw new IllegalStateException(loaded.diagnostics().toString());
        }
        authorizer = Authorizer.forWorkload(MeshConfig.assemble(loaded.resources()).config(), "models", "llm", Map.of());
        int last = rules - 1;
        rawPath = "/v1/models/model-" + last + "/infer?stream=true";
        lastRule = request("cluster.local/ns/apps/sa/app-" + last, last % 2 == 0 ? "POST" : "GET",
                "/v1/models/model-" + last + "/infer");
        unknownCaller = request("cluster.local/ns/web/sa/site", "POST", "/v1/models/model-1/infer");
        if (!authorizer.decide(lastRule).allowed() || authorizer.decide(unknownCaller).allowed()) {
            throw new IllegalStateException("the benchmark's requests do not get the decisions they should");
        }
    }

    private static AuthzRequest request(String principal, String method, String path) {
        return AuthzRequest.builder(method, path).peer(Optional.of(SpiffeId.parse("spiffe://" + principal)))
                .host("llm.models").destinationPort(8000).model(ModelCall.of(method, path)).time(Instant.EPOCH).build();
    }

    @Benchmark
    public AuthzDecision lastRuleMatches() {
        return authorizer.decide(lastRule);
    }

    @Benchmark
    public AuthzDecision noRuleNamesTheCaller() {
        return authorizer.decide(unknownCaller);
    }

    /** What the proxy does per request: normalize the path, build the attributes, decide. */
    @Benchmark
    public AuthzDecision normalizeBuildAndDecide() {
        String path = ((RequestPath.Result.Normalized) RequestPath.normalize(rawPath)).path();
        return authorizer.decide(AuthzRequest.builder(lastRule.method(), path).peer(lastRule.peer()).host("llm.models")
                .destinationPort(8000).model(ModelCall.of(lastRule.method(), path)).time(Instant.EPOCH).build());
    }
}
