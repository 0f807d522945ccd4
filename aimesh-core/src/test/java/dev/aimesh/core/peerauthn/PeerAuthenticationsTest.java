package dev.aimesh.core.peerauthn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import dev.aimesh.core.peerauthn.EffectiveMtls.Scope;
import dev.aimesh.core.resource.MeshConfig;
import dev.aimesh.core.resource.PeerAuthentication.MtlsMode;

class PeerAuthenticationsTest {
    @Test
    void withoutPolicyTheModeIsStrict() {
        EffectiveMtls mode = PeerAuthentications.modeFor(MeshConfig.empty(), "models", Map.of("app", "llm"), 8000);
        assertThat(mode).isEqualTo(new EffectiveMtls(MtlsMode.STRICT, Scope.DEFAULT, Optional.empty()));
        assertThat(mode.reason()).isEqualTo("STRICT by default (no PeerAuthentication sets a mode)");
    }

    @Test
    void theReasonNamesThePolicyAndItsScope() {
        assertThat(new EffectiveMtls(MtlsMode.STRICT, Scope.WORKLOAD, Optional.of("models/llm")).reason())
                .isEqualTo("STRICT by the workload policy models/llm");
    }

    @Test
    void unsetIsNeverAnEffectiveMode() {
        assertThatThrownBy(() -> new EffectiveMtls(MtlsMode.UNSET, Scope.MESH, Optional.of("istio-system/default")))
                .hasMessage("mode: UNSET (expected: an effective mode)");
    }
}
