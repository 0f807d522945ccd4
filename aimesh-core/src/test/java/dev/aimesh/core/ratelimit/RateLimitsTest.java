package dev.aimesh.core.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import dev.aimesh.core.ai.AiOperation;
import dev.aimesh.core.ai.ModelCall;
import dev.aimesh.core.authz.AuthzRequest;
import dev.aimesh.core.identity.SpiffeId;
import dev.aimesh.core.resource.ConfigLoader;
import dev.aimesh.core.resource.RateLimitPolicy;

class RateLimitsTest {
    private static final Optional<SpiffeId> CHAT = Optional.of(SpiffeId.parse("spiffe://cluster.local/ns/apps/sa/chat"));
    private static final Optional<SpiffeId> BATCH = Optional.of(SpiffeId.parse("spiffe://cluster.local/ns/jobs/sa/batch"));
    private static final ModelCall CHAT_LLAMA = new ModelCall(Optional.of(AiOperation.CHAT), Optional.of("llama"), Optional.empty());
    private static final ModelCall EMBED = new ModelCall(Optional.of(AiOperation.EMBEDDINGS), Optional.of("e5"), Optional.empty());

    static RateLimits compile(String limits) {
        var result = ConfigLoader.load(List.of(new ConfigLoader.SourceFile("l.yaml", """
                apiVersion: aimesh.dev/v1alpha1
                kind: RateLimitPolicy
                metadata: {name: budget, namespace: models}
                spec:
                """ + limits.indent(2))));
        assertThat(result.diagnostics()).isEmpty();
        return RateLimits.compile(result.resources().stream().map(RateLimitPolicy.class::cast).toList());
    }

    @Test
    void limitsApplyByTheirConditionsAndKeyByTheirParts() {
        RateLimits limits = compile("""
                limits:
                  - {name: per-caller, requests: 10, per: 1s}
                  - {name: apps-chat, tokens: 1000, per: 1m, by: [caller, model], when: {namespaces: [apps], operations: [chat]}}
                  - {name: llama, requests: 5, per: 1s, by: [model], when: {models: [llama]}}
                """);
        assertThat(limits.readsModel()).isTrue();
        assertThat(limits.countsTokens()).isTrue();

        var chat = limits.applying(CHAT, CHAT_LLAMA, Optional.empty());
        assertThat(chat).extracting(a -> a.limit().limit().name()).containsExactly("per-caller", "apps-chat", "llama");
        assertThat(chat.get(0).key()).as("a caller's key is its ID").isEqualTo("spiffe://cluster.local/ns/apps/sa/chat");
        assertThat(chat.get(1).key()).isEqualTo("38:spiffe://cluster.local/ns/apps/sa/chat5:llama");
        assertThat(chat.get(2).key()).isEqualTo("llama");

        assertThat(limits.applying(BATCH, CHAT_LLAMA, Optional.empty())).extracting(a -> a.limit().limit().name())
                .as("another namespace").containsExactly("per-caller", "llama");
        assertThat(limits.applying(CHAT, EMBED, Optional.empty())).extracting(a -> a.limit().limit().name())
                .as("another operation and model").containsExactly("per-caller");
        assertThat(limits.applying(Optional.empty(), EMBED, Optional.empty()).get(0).key())
                .as("plain-text callers share one key").isEmpty();
        assertThat(limits.limits().get(1).id()).isEqualTo("models/budget/apps-chat@1000/60");
    }

    @Test
    void endUsersAreKeyedByTheirPrincipalOrAClaim() {
        RateLimits limits = compile("""
                limits:
                  - {name: users, requests: 10, per: 1s, by: [requestPrincipal]}
                  - {name: tenants, requests: 10, per: 1s, by: [claim:tenant]}
                """);
        var token = Optional.of(new AuthzRequest.Token("https://idp", "alice", List.of(), "", Map.of("tenant", "acme")));
        var applied = limits.applying(CHAT, CHAT_LLAMA, token);
        assertThat(applied.get(0).key()).isEqualTo("https://idp/alice");
        assertThat(applied.get(1).key()).isEqualTo("acme");
        assertThat(limits.applying(CHAT, CHAT_LLAMA, Optional.empty())).extracting(RateLimits.Applied::key)
                .as("no token: one shared key").containsExactly("", "");
        assertThat(limits.readsModel()).isFalse();
        assertThat(limits.countsTokens()).isFalse();
    }

    @Test
    void principalConditionsMatchIstioPrincipals() {
        RateLimits limits = compile("""
                limits:
                  - {requests: 1, per: 1s, when: {principals: ["cluster.local/ns/jobs/*"]}}
                """);
        assertThat(limits.applying(BATCH, EMBED, Optional.empty())).hasSize(1);
        assertThat(limits.applying(CHAT, EMBED, Optional.empty())).isEmpty();
        assertThat(limits.applying(Optional.empty(), EMBED, Optional.empty())).isEmpty();
    }
}
