package dev.aimesh.core.resource;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import dev.aimesh.core.ai.AiOperation;
import dev.aimesh.core.config.Diagnostic;
import dev.aimesh.core.resource.RateLimitPolicy.KeyPart;
import dev.aimesh.core.resource.RateLimitPolicy.Unit;

class RateLimitPolicyDecoderTest {
    private static ConfigLoader.LoadResult load(String yaml) {
        return ConfigLoader.load(List.of(new ConfigLoader.SourceFile("limits.yaml", yaml)));
    }

    private static List<String> problems(String spec) {
        var result = load("""
                apiVersion: aimesh.dev/v1alpha1
                kind: RateLimitPolicy
                metadata: {name: budget, namespace: models}
                spec:
                """ + spec.indent(2));
        assertThat(result.resources()).as("a resource with problems is rejected whole").isEmpty();
        return result.diagnostics().stream().map(Diagnostic::toString).toList();
    }

    @Test
    void aPolicyDecodesWithItsLimitsKeysAndConditions() {
        var result = load("""
                apiVersion: aimesh.dev/v1alpha1
                kind: RateLimitPolicy
                metadata: {name: budget, namespace: models}
                spec:
                  selector: {matchLabels: {app: llm}}
                  limits:
                    - name: chat-tokens
                      tokens: 20000
                      per: 1m
                      by: [caller, claim:tenant]
                      when:
                        principals: ["cluster.local/ns/apps/*"]
                        namespaces: [apps]
                        models: [llama-3]
                        operations: [chat, completions]
                    - requests: 100
                      per: 30d
                """);
        assertThat(result.diagnostics()).isEmpty();
        RateLimitPolicy policy = (RateLimitPolicy) result.resources().get(0);
        assertThat(policy.ref()).isEqualTo("models/budget");
        assertThat(policy.selector()).contains(Map.of("app", "llm"));
        var tokens = policy.limits().get(0);
        assertThat(tokens.name()).isEqualTo("chat-tokens");
        assertThat(tokens.unit()).isEqualTo(Unit.TOKENS);
        assertThat(tokens.amount()).isEqualTo(20000);
        assertThat(tokens.window()).isEqualTo(Duration.ofMinutes(1));
        assertThat(tokens.by()).containsExactly(KeyPart.CALLER, KeyPart.claim("tenant"));
        assertThat(tokens.when().principals()).hasSize(1);
        assertThat(tokens.when().namespaces()).containsExactly("apps");
        assertThat(tokens.when().models()).containsExactly("llama-3");
        assertThat(tokens.when().operations()).isEqualTo(Set.of(AiOperation.CHAT, AiOperation.COMPLETIONS));
        var requests = policy.limits().get(1);
        assertThat(requests.name()).as("an unnamed limit is named by its place").isEqualTo("limits[1]");
        assertThat(requests.unit()).isEqualTo(Unit.REQUESTS);
        assertThat(requests.window()).isEqualTo(Duration.ofDays(30));
        assertThat(requests.by()).as("by caller unless told").containsExactly(KeyPart.CALLER);
        assertThat(requests.when()).isEqualTo(RateLimitPolicy.When.ALWAYS);
    }

    @Test
    void aLimitNeedsOneAmountAndAWindowInRange() {
        assertThat(problems("limits: [{name: a, per: 1m}]")).containsExactly(
                "limits.yaml:5:12: spec.limits[0].requests: is required: how many requests (or, as tokens, how many LLM"
                        + " tokens) per window");
        assertThat(problems("limits: [{requests: 5, tokens: 5, per: 1m}]")).singleElement().asString()
                .contains("spec.limits[0].tokens: a limit counts requests or tokens, not both");
        assertThat(problems("limits: [{requests: 5}]")).singleElement().asString()
                .contains("spec.limits[0].per: is required: the window, from 1s to 31d");
        assertThat(problems("limits: [{requests: 5, per: 500ms}]")).singleElement().asString()
                .contains("spec.limits[0].per: '500ms' is out of range (expected: 1s to 744h)");
        assertThat(problems("limits: [{requests: 0, per: 1s}]")).singleElement().asString()
                .contains("spec.limits[0].requests: 0 is out of range (expected: 1 to 1000000000000)");
        assertThat(problems("limits: [{tokens: 100000000000, per: 1m}]")).singleElement().asString()
                .contains("spec.limits[0].tokens: 100000000000 per 1m is more than one a nanosecond: use a longer window");
        assertThat(problems("limits: [{tokens: lots, per: 1s}]")).singleElement().asString()
                .contains("spec.limits[0].tokens: 'lots' is not a whole number");
    }

    @Test
    void keysConditionsAndNamesAreChecked() {
        assertThat(problems("limits: [{requests: 5, per: 1m, by: [caller, user]}]")).singleElement().asString()
                .contains("spec.limits[0].by[1]: 'user' is not a key part (expected: caller, requestPrincipal, claim:<name>,"
                        + " model or operation)");
        assertThat(problems("limits: [{requests: 5, per: 1m, by: [model, model]}]")).singleElement().asString()
                .contains("spec.limits[0].by: 'model' is given twice");
        assertThat(problems("limits: [{requests: 5, per: 1m, when: {operations: [train]}}]")).singleElement().asString()
                .contains("spec.limits[0].when.operations[0]: 'train' is not an operation");
        assertThat(problems("limits: [{requests: 5, per: 1m, when: {}}]")).singleElement().asString()
                .contains("when names nothing");
        assertThat(problems("limits: [{name: a, requests: 5, per: 1m}, {name: a, tokens: 9, per: 1h}]")).singleElement()
                .asString().contains("spec.limits: two limits are named 'a'");
        assertThat(problems("limits: [{name: Chat Tokens, requests: 5, per: 1m}]")).singleElement().asString()
                .contains("spec.limits[0].name:");
        assertThat(problems("limits: [{requests: 5, per: 1m, burst: 9}]")).singleElement().asString()
                .contains("spec.limits[0].burst:");
        assertThat(problems("selector: {matchLabels: {app: llm}}")).singleElement().asString()
                .contains("spec.limits: is required");
    }
}
