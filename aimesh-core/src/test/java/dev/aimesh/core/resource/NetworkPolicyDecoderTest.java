package dev.aimesh.core.resource;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import dev.aimesh.core.authz.IpBlock;
import dev.aimesh.core.config.Diagnostic;
import dev.aimesh.core.netpol.LabelSelector;
import dev.aimesh.core.resource.NetworkPolicy.Direction;
import dev.aimesh.core.resource.NetworkPolicy.PeerSelector;
import dev.aimesh.core.resource.NetworkPolicy.PortRange;
import dev.aimesh.core.resource.NetworkPolicy.Protocol;
import dev.aimesh.core.resource.NetworkPolicy.Rule;

class NetworkPolicyDecoderTest {
    private static List<String> problems(String yaml) {
        var result = ConfigLoader.load(List.of(new ConfigLoader.SourceFile("netpol.yaml", yaml)));
        assertThat(result.resources()).as("a resource with problems is rejected whole").isEmpty();
        return result.diagnostics().stream().map(Diagnostic::toString).toList();
    }

    @Test
    void everyProblemIsReportedWithFileLineColumnAndField() {
        assertThat(problems("""
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: llm, namespace: models}
                spec:
                  podSelector:
                    matchExpressions:
                    - {key: app, operator: Contains, values: [llm]}
                    - {key: tier, operator: In}
                    - {key: gpu, operator: Exists, values: ["true"]}
                    - {operator: NotIn, values: [x]}
                  policyTypes: [Ingress, Both]
                  ingress:
                  - from:
                    - ipBlock: {cidr: 10.0.0.0/33}
                    - ipBlock: {cidr: 10.0.0.1}
                    - ipBlock: {cidr: 10.0.0.0/16, except: [10.1.0.0/24, 10.0.0.0/16, "::/0"]}
                    - ipBlock: {except: [10.0.0.0/8]}
                    - ipBlock: {cidr: 10.0.0.0/8}
                      podSelector: {}
                    - {}
                    - podSelector: {matchLabel: {app: x}}
                    ports:
                    - port: http
                    - port: 0
                    - {port: 8000, endPort: 7000}
                    - {endPort: 9000}
                    - {protocol: ICMP, port: 70000}
                    - {port: 80, hostPort: 80}
                  egress:
                  - to: [{namespaceSelector: {}}]
                    toPorts: []
                """)).containsExactly(
                "netpol.yaml:7:28: spec.podSelector.matchExpressions[0].operator: 'Contains' is not an operator "
                        + "(expected: In, NotIn, Exists or DoesNotExist)",
                "netpol.yaml:8:7: spec.podSelector.matchExpressions[1].values: operator In needs at least one value",
                "netpol.yaml:9:44: spec.podSelector.matchExpressions[2].values: must be empty for operator Exists",
                "netpol.yaml:10:7: spec.podSelector.matchExpressions[3].key: is required",
                "netpol.yaml:11:26: spec.policyTypes[1]: 'Both' is not a policy type (expected: Ingress or Egress)",
                "netpol.yaml:14:23: spec.ingress[0].from[0].ipBlock.cidr: '10.0.0.0/33': the prefix length must be 0 to 32",
                "netpol.yaml:15:23: spec.ingress[0].from[1].ipBlock.cidr: '10.0.0.1' is not a CIDR block "
                        + "(expected: address/prefix-length, like 10.0.0.0/8)",
                "netpol.yaml:16:45: spec.ingress[0].from[2].ipBlock.except[0]: '10.1.0.0/24' is not inside cidr 10.0.0.0/16 "
                        + "(an except block must be a strict subset of it)",
                "netpol.yaml:16:58: spec.ingress[0].from[2].ipBlock.except[1]: '10.0.0.0/16' is not inside cidr 10.0.0.0/16 "
                        + "(an except block must be a strict subset of it)",
                "netpol.yaml:16:71: spec.ingress[0].from[2].ipBlock.except[2]: '::/0' is not inside cidr 10.0.0.0/16 "
                        + "(an except block must be a strict subset of it)",
                "netpol.yaml:17:16: spec.ingress[0].from[3].ipBlock.cidr: is required",
                "netpol.yaml:18:16: spec.ingress[0].from[4].ipBlock: cannot be combined with podSelector or namespaceSelector "
                        + "(write it as a peer of its own)",
                "netpol.yaml:20:7: spec.ingress[0].from[5]: sets no peer (expected: podSelector, namespaceSelector or ipBlock)",
                "netpol.yaml:21:21: spec.ingress[0].from[6].podSelector.matchLabel: unknown field",
                "netpol.yaml:23:13: spec.ingress[0].ports[0].port: 'http': named ports are not supported (write the port number)",
                "netpol.yaml:24:13: spec.ingress[0].ports[1].port: 0 is not a port number (expected: 1 to 65535)",
                "netpol.yaml:25:29: spec.ingress[0].ports[2].endPort: 7000 is less than port 8000",
                "netpol.yaml:26:17: spec.ingress[0].ports[3].endPort: needs port (the start of the range)",
                "netpol.yaml:27:18: spec.ingress[0].ports[4].protocol: 'ICMP' is not a protocol (expected: TCP, UDP or SCTP)",
                "netpol.yaml:27:30: spec.ingress[0].ports[4].port: 70000 is not a port number (expected: 1 to 65535)",
                "netpol.yaml:28:18: spec.ingress[0].ports[5].hostPort: unknown field",
                "netpol.yaml:31:5: spec.egress[0].toPorts: unknown field");
    }

    @Test
    void decodesKubernetesPoliciesAsTheyAre() {
        var result = ConfigLoader.load(List.of(new ConfigLoader.SourceFile("netpol.yaml", """
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: llm, namespace: models}
                spec:
                  podSelector:
                    matchLabels: {app: llm}
                  ingress:
                  - from:
                    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: apps}}
                      podSelector: {}
                    - ipBlock: {cidr: 10.0.0.0/8, except: [10.9.0.0/16]}
                    ports:
                    - port: 8000
                    - {protocol: UDP}
                    - {port: 9000, endPort: 9100}
                  egress:
                  - {}
                ---
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: deny-all, namespace: models}
                spec:
                  podSelector: {}
                  policyTypes: [Egress]
                  ingress: [{}]
                """)));
        assertThat(result.diagnostics()).isEmpty();
        NetworkPolicy llm = (NetworkPolicy) result.resources().get(0);
        assertThat(llm.podSelector()).isEqualTo(new LabelSelector(Map.of("app", "llm"), List.of()));
        assertThat(llm.policyTypes()).as("Egress too, as the policy has egress rules").isEqualTo(Set.of(Direction.INGRESS, Direction.EGRESS));
        Rule rule = llm.ingress().get(0);
        assertThat(rule.peers().get(0)).isEqualTo(new PeerSelector.Workloads(Optional.of(LabelSelector.ALL),
                Optional.of(new LabelSelector(Map.of("kubernetes.io/metadata.name", "apps"), List.of()))));
        PeerSelector.Addresses addresses = (PeerSelector.Addresses) rule.peers().get(1);
        assertThat(addresses.cidr().text()).isEqualTo("10.0.0.0/8");
        assertThat(addresses.except()).extracting(IpBlock::text).containsExactly("10.9.0.0/16");
        assertThat(rule.ports()).containsExactly(new PortRange(Protocol.TCP, 8000, 8000), new PortRange(Protocol.UDP, 1, 65535),
                new PortRange(Protocol.TCP, 9000, 9100));
        assertThat(llm.egress()).containsExactly(new Rule(List.of(), List.of()));
        NetworkPolicy denyAll = (NetworkPolicy) result.resources().get(1);
        assertThat(denyAll.podSelector()).isEqualTo(LabelSelector.ALL);
        assertThat(denyAll.policyTypes()).as("policyTypes given: kept as written").isEqualTo(Set.of(Direction.EGRESS));
        assertThat(denyAll.egress()).isEmpty();
    }
}
