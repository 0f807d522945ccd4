package dev.aimesh.core.authz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PrincipalPatternTest {
    @ParameterizedTest
    @ValueSource(strings = {"cluster.local/ns/apps/sa/chat-app", "example.org/ns/a_b/sa/C.1", "*",
            "cluster.local/ns/apps/*", "cluster.local/ns/apps/sa/*", "cluster.local/*", "cluster.*", "cluster.local/n*",
            "*/sa/chat-app", "*/ns/apps/sa/chat-app", "*a/chat-app", "*chat-app", "*local/ns/apps/sa/chat"})
    void acceptsWhatSomeWorkloadIdentityCanBe(String text) {
        assertThat(PrincipalPattern.parse(text).pattern()).isEqualTo(text);
    }

    @ParameterizedTest
    @ValueSource(strings = {"apps/chat-app", "ns/apps/sa/chat-app", "cluster.local/apps/chat-app", "cluster.local/ns/apps",
            "cluster.local/ns/apps/sa/chat/extra", "cluster.local/ns/apps/sa/", "Cluster.local/ns/a/sa/b",
            "cluster.local/ns/../sa/b"})
    void refusesExactValuesOfTheWrongShape(String text) {
        assertThatThrownBy(() -> PrincipalPattern.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("'" + text + "' is not a principal (expected: <trust-domain>/ns/<namespace>/sa/<service-account>)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"cluster.local/apps/*", "apps/chat-app/*", "cluster.local/ns/apps/sa/chat/*", "*apps/chat-app",
            "*/apps/chat-app", "*/x/ns/apps/sa/chat", "cluster.local/ns/a b*", "*/sa/chat app"})
    void refusesWildcardsThatCanMatchNoPrincipal(String text) {
        assertThatThrownBy(() -> PrincipalPattern.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("'" + text + "' can match no principal (expected: a prefix or suffix of "
                        + "<trust-domain>/ns/<namespace>/sa/<service-account>, with '*')");
    }

    @Test
    void spiffeSchemeIsRefusedWithTheFormToWrite() {
        assertThatThrownBy(() -> PrincipalPattern.parse("spiffe://cluster.local/ns/a/sa/b"))
                .hasMessageContaining("write principals without 'spiffe://'");
    }

    @Test
    void knowsWhichPatternsCanNameACallerOfThisMesh() {
        assertThat(PrincipalPattern.canMatchTrustDomain(PrincipalPattern.parse("mesh.example/ns/a/sa/b"), "mesh.example")).isTrue();
        assertThat(PrincipalPattern.canMatchTrustDomain(PrincipalPattern.parse("cluster.local/ns/a/sa/b"), "mesh.example")).isTrue();
        assertThat(PrincipalPattern.canMatchTrustDomain(PrincipalPattern.parse("other.example/ns/a/sa/b"), "mesh.example")).isFalse();
        assertThat(PrincipalPattern.canMatchTrustDomain(PrincipalPattern.parse("other.example/ns/*"), "mesh.example")).isFalse();
        assertThat(PrincipalPattern.canMatchTrustDomain(PrincipalPattern.parse("mesh.*"), "mesh.example")).isTrue();
        assertThat(PrincipalPattern.canMatchTrustDomain(PrincipalPattern.parse("other*"), "mesh.example")).isFalse();
        assertThat(PrincipalPattern.canMatchTrustDomain(PrincipalPattern.parse("*/sa/b"), "mesh.example")).isTrue();
        assertThat(PrincipalPattern.canMatchTrustDomain(PrincipalPattern.parse("*ther.example/ns/a/sa/b"), "mesh.example")).isFalse();
        assertThat(PrincipalPattern.canMatchTrustDomain(PrincipalPattern.parse("*"), "mesh.example")).isTrue();
    }
}
