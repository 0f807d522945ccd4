package dev.aimesh.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import dev.aimesh.core.authz.AuthzRequest;
import dev.aimesh.core.authz.Condition;
import dev.aimesh.core.authz.ConditionKey;
import dev.aimesh.core.config.Position;
import dev.aimesh.core.identity.TrustDomain;
import dev.aimesh.core.netpol.LabelSelector;
import dev.aimesh.core.resource.AuthorizationPolicy;
import dev.aimesh.core.resource.ConfigLoader;
import dev.aimesh.core.resource.HostPort;
import dev.aimesh.core.resource.Mesh;
import dev.aimesh.core.resource.MeshConfig;
import dev.aimesh.core.resource.NetworkPolicy;
import dev.aimesh.core.resource.ObjectMeta;
import dev.aimesh.core.resource.PeerAuthentication;
import dev.aimesh.core.resource.RequestAuthentication;
import dev.aimesh.core.resource.Resource;
import dev.aimesh.core.resource.Workload;

/** Every converter: a core record made a message and read back is equal to itself, edge cases included. */
class ResourceMessagesTest {
    /** Every kind a proxy is sent, with most fields set, as the control plane decodes them. */
    private static final String RICH = """
            apiVersion: aimesh.dev/v1alpha1
            kind: Mesh
            metadata: {name: default}
            spec:
              trustDomain: it.example
              certificates: {workloadLifetime: 90s, rootLifetime: 30d}
              authorization: {rootNamespace: mesh-root, defaultAction: DENY}
            ---
            apiVersion: aimesh.dev/v1alpha1
            kind: Workload
            metadata: {name: llm, namespace: models, labels: {app: llm}, annotations: {owner: ml-team}}
            spec:
              serviceAccount: llm-sa
              inbound: {port: 15006, upstream: "[::1]:8000", protocol: h2c, forwardedPath: raw}
              outbound: {port: 15001}
              run: {demoModel: sentiment-v1}
            ---
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata:
              name: everything
              namespace: models
              annotations: {istio.io/dry-run: "true"}
            spec:
              selector: {matchLabels: {app: llm}}
              action: DENY
              rules:
              - from:
                - source:
                    principals: ["it.example/ns/apps/sa/*", "*"]
                    notPrincipals: ["it.example/ns/apps/sa/bad"]
                    requestPrincipals: ["https://issuer/*"]
                    notRequestPrincipals: ["*/robot"]
                    namespaces: ["apps"]
                    notNamespaces: ["evil*"]
                    ipBlocks: ["10.0.0.0/8", "2001:db8::/32"]
                    notIpBlocks: ["10.1.2.3"]
                    remoteIpBlocks: ["192.168.0.0/16"]
                    notRemoteIpBlocks: ["192.168.1.0/24"]
                to:
                - operation:
                    hosts: ["LLM.models*"]
                    notHosts: ["*.internal"]
                    ports: ["8000"]
                    notPorts: ["9000"]
                    methods: ["POST"]
                    notMethods: ["DELETE"]
                    paths: ["/v1/models/{*}/infer", "/v2/{**}", "/health*"]
                    notPaths: ["*.bak"]
                when:
                - key: request.model
                  values: ["gpt-*"]
                  notValues: ["gpt-4-secret"]
                - key: request.ai.operation
                  values: ["chat"]
                - key: request.headers[X-Tenant]
                  notValues: ["blocked"]
                - key: request.time
                  values: ["Mon-Fri 09:00-17:30 Europe/Paris"]
                - key: request.auth.claims[groups][admin]
                  values: ["true"]
                - key: destination.port
                  values: ["8000"]
              - {}
            ---
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: audit-all, namespace: models}
            spec:
              action: AUDIT
              targetRefs: [{kind: Service, name: llm}]
              rules: [{to: [{operation: {methods: ["GET"]}}]}]
            ---
            apiVersion: security.istio.io/v1
            kind: RequestAuthentication
            metadata: {name: users, namespace: models}
            spec:
              selector: {matchLabels: {app: llm}}
              jwtRules:
              - issuer: https://login.example
                audiences: [llm, chat]
                jwksUri: https://login.example/keys
                fromHeaders: [{name: x-token, prefix: "Token "}]
                fromParams: [token]
                fromCookies: [session]
                outputPayloadToHeader: x-jwt-payload
                outputClaimToHeaders: [{header: x-user, claim: sub}]
                forwardOriginalToken: true
                timeout: 2s
              - issuer: https://other.example
                jwks: '{"keys":[{"kty":"EC","crv":"P-256","kid":"k","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}]}'
            ---
            apiVersion: security.istio.io/v1
            kind: PeerAuthentication
            metadata: {name: llm, namespace: models}
            spec:
              selector: {matchLabels: {app: llm}}
              mtls: {mode: STRICT}
              portLevelMtls: {"8000": {mode: PERMISSIVE}, "9000": {mode: DISABLE}}
            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: llm, namespace: models}
            spec:
              podSelector:
                matchLabels: {app: llm}
                matchExpressions:
                - {key: tier, operator: In, values: [gold, silver]}
                - {key: legacy, operator: DoesNotExist}
              policyTypes: [Ingress, Egress]
              ingress:
              - from:
                - podSelector: {matchLabels: {app: web}}
                  namespaceSelector: {matchExpressions: [{key: kubernetes.io/metadata.name, operator: NotIn, values: [evil]}]}
                - namespaceSelector: {}
                - ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}
                ports:
                - {port: 8000}
                - {protocol: UDP, port: 53, endPort: 60}
              egress:
              - {}
            ---
            apiVersion: aimesh.dev/v1alpha1
            kind: DataLossPreventionPolicy
            metadata: {name: llm, namespace: models}
            spec:
              selector: {matchLabels: {app: llm}}
              rules:
              - {name: cards, direction: request, detectors: [payment-card, iban], action: block}
              - direction: response
                detectors: [email, phone]
                action: redact
                callers: {principals: ["cluster.local/ns/dev/*", "*/sa/test"], namespaces: [staging], labels: {env: dev}}
              - {detectors: [us-ssn], action: mask}
              - {detectors: [jwt, generic-secret], action: audit}
              inspection: {maxBodyBytes: 256Ki, overLimit: pass}
            ---
            apiVersion: aimesh.dev/v1alpha1
            kind: RateLimitPolicy
            metadata: {name: llm, namespace: models}
            spec:
              selector: {matchLabels: {app: llm}}
              limits:
              - name: tokens
                tokens: 20000
                per: 1h
                by: [caller, claim:tenant, model]
                when: {principals: ["cluster.local/ns/apps/*"], namespaces: [apps], models: [llama], operations: [chat, completions]}
              - {requests: 5, per: 30d, by: [requestPrincipal, operation]}
            """;

    static List<Resource> decoded() {
        var loaded = ConfigLoader.load(List.of(new ConfigLoader.SourceFile("rich.yaml", RICH)));
        assertThat(loaded.diagnostics()).isEmpty();
        MeshConfig config = MeshConfig.assemble(loaded.resources()).config();
        return dev.aimesh.core.registry.ConfigSnapshot.resourcesOf(config);
    }

    private static Resource roundTrip(Resource resource) throws Exception {
        byte[] wire = ResourceMessages.toProto(resource).toByteArray();
        return ResourceMessages.fromProto(dev.aimesh.api.v1.Resource.parseFrom(wire));
    }

    @ParameterizedTest
    @MethodSource("decoded")
    void aDecodedResourceSurvivesTheWire(Resource resource) throws Exception {
        assertThat(roundTrip(resource)).isEqualTo(resource);
    }

    @Test
    void theRichConfigHoldsEveryKindAndEveryAction() {
        assertThat(decoded()).extracting(Resource::key).contains("Mesh default/default", "Workload models/llm",
                "AuthorizationPolicy models/everything", "AuthorizationPolicy models/audit-all",
                "RequestAuthentication models/users", "PeerAuthentication models/llm", "NetworkPolicy models/llm",
                "DataLossPreventionPolicy models/llm", "RateLimitPolicy models/llm");
        AuthorizationPolicy everything = (AuthorizationPolicy) decoded().stream()
                .filter(r -> r.key().equals("AuthorizationPolicy models/everything")).findFirst().orElseThrow();
        assertThat(everything.dryRun()).isTrue();
        assertThat(everything.action()).isEqualTo(AuthorizationPolicy.Action.DENY);
    }

    /** The conditions read back decide as the originals: their tests are made again from the written values. */
    @Test
    void conditionsReadBackTestRequestsAsTheOriginalsDo() throws Exception {
        Condition model = Condition.of(ConditionKey.parse("request.model"), List.of("gpt-*"), List.of("gpt-4-secret"));
        AuthorizationPolicy policy = policy(AuthorizationPolicy.Action.ALLOW, List.of(new AuthorizationPolicy.Rule(
                new Position("p.yaml", 3, 5), List.of(), List.of(), List.of(model))), false);
        Condition back = ((AuthorizationPolicy) roundTrip(policy)).rules().get(0).when().get(0);
        assertThat(back).isEqualTo(model);
        for (String name : List.of("gpt-4o", "gpt-4-secret", "claude")) {
            AuthzRequest request = AuthzRequest.builder("POST", "/v1/chat/completions")
                    .model(new dev.aimesh.core.ai.ModelCall(Optional.empty(), Optional.of(name), Optional.empty())).build();
            assertThat(back.test(request)).as(name).isEqualTo(model.test(request));
        }
    }

    static AuthorizationPolicy policy(AuthorizationPolicy.Action action, List<AuthorizationPolicy.Rule> rules, boolean dryRun) {
        return new AuthorizationPolicy(ObjectMeta.of("p", "models"), new Position("p.yaml", 1, 1), Optional.empty(), List.of(),
                action, rules, dryRun);
    }

    static List<Resource> edgeCases() {
        var empty = new AuthorizationPolicy.Source(List.of(), List.of(), List.of(), List.of(), List.of(), List.of(),
                List.of(), List.of(), List.of(), List.of());
        return List.of(
                // no rules at all (ALLOW nothing / DENY nothing), each action, dry-run on and off
                policy(AuthorizationPolicy.Action.ALLOW, List.of(), false),
                policy(AuthorizationPolicy.Action.DENY, List.of(), true),
                policy(AuthorizationPolicy.Action.AUDIT, List.of(new AuthorizationPolicy.Rule(Position.unknown("x"), List.of(),
                        List.of(), List.of())), false),
                // a rule whose source sets nothing, a condition with notValues only
                policy(AuthorizationPolicy.Action.DENY, List.of(new AuthorizationPolicy.Rule(Position.unknown("x"), List.of(empty),
                        List.of(), List.of(Condition.of(ConditionKey.parse("request.ai.operation"), List.of(),
                                List.of("embeddings"))))), true),
                // an empty selector is not an absent one
                new AuthorizationPolicy(ObjectMeta.of("sel", "models"), Position.unknown("x"), Optional.of(Map.of()), List.of(),
                        AuthorizationPolicy.Action.ALLOW, List.of(), false),
                new Mesh(new ObjectMeta("m", "default", Map.of("a", "b"), Map.of("c", "d")), new Position("mesh.yaml", 2, 1),
                        TrustDomain.parse("example.org"), new Mesh.Certificates(Duration.ofMillis(2500), Duration.ofDays(2)),
                        new Mesh.Authorization("root", false)),
                Mesh.defaults(),
                Workload.of(ObjectMeta.of("bare", "apps"), "bare"),
                new Workload(ObjectMeta.of("in", "apps"), Position.unknown("w"), "in",
                        Optional.of(new Workload.Inbound(0, Optional.empty(), Workload.UpstreamProtocol.HTTP)),
                        Optional.of(new Workload.Outbound(0)), Optional.empty()),
                new Workload(ObjectMeta.of("up", "apps"), Position.unknown("w"), "up",
                        Optional.of(new Workload.Inbound(1, Optional.of(new HostPort("model.local", 65535)),
                                Workload.UpstreamProtocol.H2C, Workload.ForwardedPath.RAW)),
                        Optional.empty(), Optional.of(new Workload.Run("demo"))),
                new RequestAuthentication(ObjectMeta.of("none", "models"), Position.unknown("r"), Optional.empty(), List.of(),
                        List.of()),
                new RequestAuthentication(ObjectMeta.of("min", "models"), Position.unknown("r"), Optional.of(Map.of("app", "x")),
                        List.of("llm"), List.of(new RequestAuthentication.JwtRule("https://i", List.of(), Optional.empty(),
                                Optional.empty(), List.of(), List.of(), List.of(), Optional.empty(), List.of(), false,
                                RequestAuthentication.JwtRule.DEFAULT_TIMEOUT))),
                new PeerAuthentication(ObjectMeta.of("default", "istio-system"), Position.unknown("pa"), Optional.empty(),
                        PeerAuthentication.MtlsMode.UNSET, Map.of()),
                new PeerAuthentication(ObjectMeta.of("ports", "models"), Position.unknown("pa"), Optional.of(Map.of("app", "llm")),
                        PeerAuthentication.MtlsMode.DISABLE, Map.of(1, PeerAuthentication.MtlsMode.UNSET, 65535,
                                PeerAuthentication.MtlsMode.STRICT)),
                new NetworkPolicy(ObjectMeta.of("deny-all", "models"), Position.unknown("np"), LabelSelector.ALL,
                        Set.of(NetworkPolicy.Direction.INGRESS), List.of(), List.of()),
                new NetworkPolicy(ObjectMeta.of("egress", "models"), Position.unknown("np"),
                        new LabelSelector(Map.of(), List.of(new LabelSelector.Requirement("app", LabelSelector.Operator.EXISTS,
                                Set.of()))),
                        Set.of(NetworkPolicy.Direction.EGRESS), List.of(),
                        List.of(new NetworkPolicy.Rule(List.of(new NetworkPolicy.PeerSelector.Workloads(Optional.empty(),
                                Optional.of(LabelSelector.ALL))), List.of(new NetworkPolicy.PortRange(
                                        NetworkPolicy.Protocol.SCTP, 1, 65535))))),
                new dev.aimesh.core.resource.DataLossPreventionPolicy(ObjectMeta.of("mesh", "istio-system"), Position.unknown("d"),
                        Optional.empty(), List.of(new dev.aimesh.core.resource.DataLossPreventionPolicy.Rule("r",
                                Set.of(dev.aimesh.core.resource.DataLossPreventionPolicy.Direction.RESPONSE),
                                Set.of(dev.aimesh.core.dlp.Detector.PRIVATE_KEY), dev.aimesh.core.dlp.DlpAction.BLOCK,
                                dev.aimesh.core.resource.DataLossPreventionPolicy.Callers.ANY)),
                        new dev.aimesh.core.resource.DataLossPreventionPolicy.Inspection(1,
                                dev.aimesh.core.resource.DataLossPreventionPolicy.OverLimit.REFUSE)));
    }

    @ParameterizedTest
    @MethodSource("edgeCases")
    void anEdgeCaseSurvivesTheWire(Resource resource) throws Exception {
        assertThat(roundTrip(resource)).isEqualTo(resource);
    }

    @Test
    void anAbsentSelectorStaysAbsentAndAnEmptyOneEmpty() throws Exception {
        AuthorizationPolicy absent = policy(AuthorizationPolicy.Action.ALLOW, List.of(), false);
        assertThat(((AuthorizationPolicy) roundTrip(absent)).selector()).isEmpty();
        AuthorizationPolicy empty = (AuthorizationPolicy) edgeCases().get(4);
        assertThat(((AuthorizationPolicy) roundTrip(empty)).selector()).contains(Map.of());
    }

    @Test
    void valuesARecordRefusesAreRefusedWithItsMessage() {
        var badAction = ResourceMessages.toProto(policy(AuthorizationPolicy.Action.ALLOW, List.of(), false)).toBuilder();
        badAction.getAuthorizationPolicyBuilder().setActionValue(9);
        assertThatThrownBy(() -> ResourceMessages.fromProto(badAction.build())).hasMessage("action: 9 is not a value this proxy"
                + " knows (expected: ALLOW, DENY or AUDIT); is the control plane newer than the proxy?");

        var badPort = ResourceMessages.toProto(edgeCases().get(15)).toBuilder();
        badPort.getNetworkPolicyBuilder().getEgressBuilder(0).getPortsBuilder(0).setFirst(0);
        assertThatThrownBy(() -> ResourceMessages.fromProto(badPort.build()))
                .hasMessage("ports: 0-65535 (expected: 1 <= first <= last <= 65535)");

        var badKey = ResourceMessages.toProto(edgeCases().get(3)).toBuilder();
        badKey.getAuthorizationPolicyBuilder().getRulesBuilder(0).getWhenBuilder(0).setKey("request.nope");
        assertThatThrownBy(() -> ResourceMessages.fromProto(badKey.build())).hasMessageStartingWith("'request.nope' is not a"
                + " condition key");

        var noName = ResourceMessages.toProto(Mesh.defaults()).toBuilder();
        noName.getMeshBuilder().getMetadataBuilder().setName("");
        assertThatThrownBy(() -> ResourceMessages.fromProto(noName.build())).hasMessageStartingWith("metadata.name: empty");
    }
}
