package dev.aimesh.proxy.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import dev.aimesh.core.authz.AuthzRequest;
import dev.aimesh.core.config.Position;
import dev.aimesh.core.identity.SpiffeId;
import dev.aimesh.core.registry.ConfigSnapshot;
import dev.aimesh.core.registry.ProxyConfigSelection;
import dev.aimesh.core.registry.WorkloadEntry;
import dev.aimesh.core.resource.ConfigLoader;
import dev.aimesh.core.resource.Mesh;
import dev.aimesh.core.resource.MeshConfig;
import dev.aimesh.core.resource.ObjectMeta;
import dev.aimesh.core.resource.RequestAuthentication;
import dev.aimesh.core.resource.Workload;
import dev.aimesh.proxy.filter.authn.JwksSources;

/** The proxy compiles its policies from the typed resources it is sent, as selected for its workload. */
class PolicyCompilerTest {
    private static final String MESH = """
            apiVersion: aimesh.dev/v1alpha1
            kind: Workload
            metadata: {name: llm, namespace: models, labels: {app: llm}}
            spec: {inbound: {port: 0, upstream: "127.0.0.1:8000", forwardedPath: raw}}
            ---
            apiVersion: aimesh.dev/v1alpha1
            kind: Workload
            metadata: {name: embed, namespace: models, labels: {app: embed}}
            ---
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: llm-callers, namespace: models}
            spec:
              selector: {matchLabels: {app: llm}}
              rules: [{to: [{operation: {methods: ["POST"]}}]}]
            ---
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: embed-callers, namespace: models}
            spec:
              selector: {matchLabels: {app: embed}}
              rules: [{to: [{operation: {methods: ["GET"]}}]}]
            """;

    private final JwksSources jwks = new JwksSources();
    private final PolicyCompiler compiler = new PolicyCompiler("models", "llm", jwks, InstantSource.system());

    @AfterEach
    void close() {
        jwks.close();
    }

    private static ConfigSnapshot selected() {
        MeshConfig config = ConfigLoader.assemble(List.of(new ConfigLoader.SourceFile("mesh.yaml", MESH))).config();
        return ProxyConfigSelection.forWorkload(ConfigSnapshot.of("3", config, Map.of()), config, "models", "llm");
    }

    @Test
    void itsOwnPoliciesAndWorkloadSettingsAreCompiled() {
        var result = compiler.compile(selected());

        assertThat(result).isInstanceOfSatisfying(PolicyCompiler.Result.Compiled.class, compiled -> {
            assertThat(compiled.forwardedPath()).isEqualTo(Workload.ForwardedPath.RAW);
            assertThat(compiled.config().authorizationPolicies()).extracting(p -> p.ref()).containsExactly("models/llm-callers");
            assertThat(compiled.authorizer().decide(AuthzRequest.builder("POST", "/v1").build()).allowed()).isTrue();
            assertThat(compiled.authorizer().decide(AuthzRequest.builder("GET", "/v1").build()).allowed()).isFalse();
        });
    }

    @Test
    void aSnapshotWithTwoMeshesIsRejected() {
        ConfigSnapshot snapshot = selected();
        Mesh second = new Mesh(ObjectMeta.of("other", "elsewhere"), Position.unknown("x"), Mesh.DEFAULT_TRUST_DOMAIN,
                Mesh.Certificates.DEFAULTS, Mesh.Authorization.DEFAULTS);
        var twoMeshes = new ConfigSnapshot("4", snapshot.workloads(),
                java.util.stream.Stream.concat(snapshot.resources().stream(), java.util.stream.Stream.of(second)).toList());

        assertThat(compiler.compile(twoMeshes)).isInstanceOfSatisfying(PolicyCompiler.Result.Rejected.class,
                r -> assertThat(r.reason()).startsWith("1 problem(s) in the config, first: ").contains("a second Mesh"));
    }

    @Test
    void aPolicyItCannotEnforceIsRejectedWithTheReason() {
        ConfigSnapshot snapshot = selected();
        var unreadableKeys = new RequestAuthentication(ObjectMeta.of("users", "models"), Position.unknown("x"), Optional.empty(),
                List.of(), List.of(new RequestAuthentication.JwtRule("https://issuer", List.of(), Optional.empty(),
                        Optional.of("not a jwks"), List.of(), List.of(), List.of(), Optional.empty(), List.of(), false,
                        RequestAuthentication.JwtRule.DEFAULT_TIMEOUT)));
        var bad = new ConfigSnapshot("5", snapshot.workloads(),
                java.util.stream.Stream.concat(snapshot.resources().stream(), java.util.stream.Stream.of(unreadableKeys)).toList());

        assertThat(compiler.compile(bad)).isInstanceOfSatisfying(PolicyCompiler.Result.Rejected.class,
                r -> assertThat(r.reason()).startsWith("the inline jwks of issuer https://issuer cannot be read"));
    }

    @Test
    void withoutPoliciesForItTheWorkloadIsOpenAsIstioHasIt() {
        var registryOnly = new ConfigSnapshot("6", List.of(new WorkloadEntry("models", "llm",
                SpiffeId.parse("spiffe://cluster.local/ns/models/sa/default"), Map.of(), List.of())), List.of(Mesh.defaults()));

        assertThat(compiler.compile(registryOnly)).isInstanceOfSatisfying(PolicyCompiler.Result.Compiled.class, compiled -> {
            assertThat(compiled.forwardedPath()).isEqualTo(Workload.ForwardedPath.NORMALIZED);
            assertThat(compiled.authorizer().decide(AuthzRequest.builder("GET", "/").build()).allowed()).isTrue();
        });
    }
}
