package dev.aimesh.core.resource;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import dev.aimesh.core.config.Diagnostic;
import dev.aimesh.core.resource.PeerAuthentication.MtlsMode;

class PeerAuthenticationDecoderTest {
    private static List<String> problems(String yaml) {
        var result = ConfigLoader.load(List.of(new ConfigLoader.SourceFile("mtls.yaml", yaml)));
        assertThat(result.resources()).as("a resource with problems is rejected whole").isEmpty();
        return result.diagnostics().stream().map(Diagnostic::toString).toList();
    }

    @Test
    void everyProblemIsReportedWithFileLineColumnAndField() {
        assertThat(problems("""
                apiVersion: security.istio.io/v1
                kind: PeerAuthentication
                metadata: {name: llm, namespace: models}
                spec:
                  selector:
                    matchLabels: {app: llm}
                    matchExpressions: []
                  mtls: {mode: STRICTER}
                  portLevelMtls:
                    http: {mode: DISABLE}
                    0: {mode: DISABLE}
                    70000: {mode: PERMISSIVE}
                    8080: {mode: OFF, tls: true}
                  targetRefs: []
                """)).containsExactly(
                "mtls.yaml:7:5: spec.selector.matchExpressions: unknown field",
                "mtls.yaml:8:16: spec.mtls.mode: 'STRICTER' is not an mTLS mode (expected: UNSET, DISABLE, PERMISSIVE or STRICT)",
                "mtls.yaml:10:11: spec.portLevelMtls.http: 'http' is not a port number",
                "mtls.yaml:11:8: spec.portLevelMtls.0: 0 is not a port number (expected: 1 to 65535)",
                "mtls.yaml:12:12: spec.portLevelMtls.70000: 70000 is not a port number (expected: 1 to 65535)",
                "mtls.yaml:13:18: spec.portLevelMtls.8080.mode: 'OFF' is not an mTLS mode (expected: UNSET, DISABLE, PERMISSIVE or STRICT)",
                "mtls.yaml:13:23: spec.portLevelMtls.8080.tls: unknown field",
                "mtls.yaml:14:3: spec.targetRefs: unknown field");
    }

    @Test
    void portLevelModesNeedASelector() {
        assertThat(problems("""
                apiVersion: security.istio.io/v1beta1
                kind: PeerAuthentication
                metadata: {name: default, namespace: models}
                spec:
                  selector: {matchLabels: {}}
                  mtls: {mode: STRICT}
                  portLevelMtls:
                    9090: {mode: DISABLE}
                """)).containsExactly(
                "mtls.yaml:8:5: spec.portLevelMtls: needs a selector (port-level modes apply to selected workloads only)");
    }

    @Test
    void decodesIstioPoliciesAsTheyAre() {
        var result = ConfigLoader.load(List.of(new ConfigLoader.SourceFile("mtls.yaml", """
                apiVersion: security.istio.io/v1
                kind: PeerAuthentication
                metadata: {name: llm, namespace: models}
                spec:
                  selector:
                    matchLabels: {app: llm}
                  mtls:
                    mode: STRICT
                  portLevelMtls:
                    9090:
                      mode: DISABLE
                    "8443": {}
                ---
                apiVersion: security.istio.io/v1
                kind: PeerAuthentication
                metadata: {name: default, namespace: istio-system}
                """)));
        assertThat(result.diagnostics()).isEmpty();
        assertThat(result.resources()).containsExactly(
                new PeerAuthentication(ObjectMeta.of("llm", "models"), result.resources().get(0).position(),
                        Optional.of(Map.of("app", "llm")), MtlsMode.STRICT, Map.of(9090, MtlsMode.DISABLE, 8443, MtlsMode.UNSET)),
                new PeerAuthentication(ObjectMeta.of("default", "istio-system"), result.resources().get(1).position(),
                        Optional.empty(), MtlsMode.UNSET, Map.of()));
    }

    @Test
    void aPolicyDeclaredTwiceIsAConflict() {
        var loaded = ConfigLoader.load(List.of(new ConfigLoader.SourceFile("mtls.yaml", """
                apiVersion: security.istio.io/v1
                kind: PeerAuthentication
                metadata: {name: default, namespace: models}
                spec: {mtls: {mode: STRICT}}
                ---
                apiVersion: security.istio.io/v1beta1
                kind: PeerAuthentication
                metadata: {name: default, namespace: models}
                spec: {mtls: {mode: DISABLE}}
                """)));
        var assembled = MeshConfig.assemble(loaded.resources());
        assertThat(assembled.problems()).extracting(Diagnostic::toString).containsExactly(
                "mtls.yaml:6:1: metadata.name: PeerAuthentication models/default is declared twice (first at mtls.yaml:1:1)");
        assertThat(assembled.config().peerAuthentications()).extracting(PeerAuthentication::mode).containsExactly(MtlsMode.STRICT);
    }
}
