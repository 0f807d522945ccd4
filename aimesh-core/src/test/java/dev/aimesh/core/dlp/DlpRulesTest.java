package dev.aimesh.core.dlp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import dev.aimesh.core.authz.PrincipalPattern;
import dev.aimesh.core.config.Position;
import dev.aimesh.core.identity.SpiffeId;
import dev.aimesh.core.resource.DataLossPreventionPolicy;
import dev.aimesh.core.resource.DataLossPreventionPolicy.Callers;
import dev.aimesh.core.resource.DataLossPreventionPolicy.Direction;
import dev.aimesh.core.resource.DataLossPreventionPolicy.Inspection;
import dev.aimesh.core.resource.DataLossPreventionPolicy.OverLimit;
import dev.aimesh.core.resource.DataLossPreventionPolicy.Rule;
import dev.aimesh.core.resource.ObjectMeta;

class DlpRulesTest {
    private static final DlpRules.Caller PROD = DlpRules.Caller.of(
            Optional.of(SpiffeId.parse("spiffe://cluster.local/ns/apps/sa/chat")), Map.of("environment", "production"));
    private static final DlpRules.Caller DEV = DlpRules.Caller.of(
            Optional.of(SpiffeId.parse("spiffe://cluster.local/ns/apps/sa/chat-dev")), Map.of("environment", "dev"));

    private static DataLossPreventionPolicy policy(String name, Inspection inspection, Rule... rules) {
        return new DataLossPreventionPolicy(new ObjectMeta(name, "models", Map.of(), Map.of()), new Position("p.yaml", 1, 1),
                Optional.empty(), List.of(rules), inspection);
    }

    private static Rule rule(String name, Set<Direction> directions, Detector detector, DlpAction action, Callers callers) {
        return new Rule(name, directions, Set.of(detector), action, callers);
    }

    private static final Set<Direction> BOTH = Set.of(Direction.REQUEST, Direction.RESPONSE);

    @Test
    void rulesForSomeCallersApplyOnlyToThemAndTheirPlansAreKept() {
        DlpRules rules = DlpRules.compile(List.of(policy("sentiment", Inspection.DEFAULTS,
                rule("no-cards", Set.of(Direction.REQUEST), Detector.PAYMENT_CARD, DlpAction.BLOCK, Callers.ANY),
                rule("mask-dev", Set.of(Direction.RESPONSE), Detector.EMAIL, DlpAction.REDACT,
                        new Callers(List.of(), List.of(), Map.of("environment", "dev"))))), null);
        assertThat(rules.dependsOnCaller()).isTrue();
        assertThat(rules.plan(Direction.RESPONSE, PROD)).as("a production caller gets its responses as they are").isEmpty();
        DlpRules.Plan dev = rules.plan(Direction.RESPONSE, DEV).orElseThrow();
        assertThat(dev.redactor().actions()).isEqualTo(Map.of(Detector.EMAIL, DlpAction.REDACT));
        assertThat(dev.source(Detector.EMAIL)).isEqualTo("models/sentiment#mask-dev");
        assertThat(rules.plan(Direction.RESPONSE, DEV)).as("made once per combination of caller rules").containsSame(dev);
        assertThat(rules.plan(Direction.REQUEST, PROD).orElseThrow().redactor().actions())
                .isEqualTo(Map.of(Detector.PAYMENT_CARD, DlpAction.BLOCK));
        assertThat(rules.plan(Direction.REQUEST, DlpRules.Caller.ANONYMOUS)).as("a rule for every caller holds for plain text too")
                .isPresent();
    }

    @Test
    void callersMatchByPrincipalPatternNamespaceOrLabels() {
        Callers byPrincipal = new Callers(List.of(PrincipalPattern.parse("*/sa/chat-dev")), List.of(), Map.of());
        Callers byNamespace = new Callers(List.of(), List.of("apps"), Map.of());
        for (Callers callers : List.of(byPrincipal, byNamespace)) {
            DlpRules rules = DlpRules.compile(List.of(policy("p", Inspection.DEFAULTS,
                    rule("r", BOTH, Detector.EMAIL, DlpAction.REDACT, callers))), null);
            assertThat(rules.plan(Direction.RESPONSE, DEV)).isPresent();
            assertThat(rules.plan(Direction.RESPONSE, DlpRules.Caller.ANONYMOUS)).isEmpty();
        }
        assertThat(DEV.namespace()).isEqualTo("apps");
        assertThat(DEV.principal()).isEqualTo("cluster.local/ns/apps/sa/chat-dev");
    }

    @Test
    void theStrongestActionOfEveryRuleThatAppliesWinsAndTheInspectionsCombine() {
        DlpRules rules = DlpRules.compile(List.of(
                policy("b", new Inspection(4096, OverLimit.PASS),
                        rule("mask", BOTH, Detector.PAYMENT_CARD, DlpAction.MASK, Callers.ANY),
                        rule("audit", BOTH, Detector.EMAIL, DlpAction.AUDIT, Callers.ANY)),
                policy("a", new Inspection(64 * 1024, OverLimit.REFUSE),
                        rule("redact", BOTH, Detector.PAYMENT_CARD, DlpAction.REDACT, Callers.ANY))), null);
        DlpRules.Plan plan = rules.plan(Direction.REQUEST, PROD).orElseThrow();
        assertThat(plan.redactor().actions()).isEqualTo(Map.of(Detector.PAYMENT_CARD, DlpAction.REDACT, Detector.EMAIL,
                DlpAction.AUDIT));
        assertThat(plan.source(Detector.PAYMENT_CARD)).as("redact lets less through than mask").isEqualTo("models/a#redact");
        assertThat(plan.inspection()).as("the smallest cap; refuse when any policy refuses")
                .isEqualTo(new Inspection(4096, OverLimit.REFUSE));
    }

    @Test
    void noPoliciesIsNone() {
        assertThat(DlpRules.compile(List.of(), null)).isSameAs(DlpRules.NONE);
        assertThat(DlpRules.NONE.isEmpty()).isTrue();
        assertThat(DlpRules.NONE.plan(Direction.REQUEST, PROD)).isEmpty();
    }

    @Test
    void moreThanSixtyThreeCallerRulesForOneWorkloadAreRefused() {
        Rule[] many = IntStream.range(0, 64).mapToObj(i -> rule("r" + i, BOTH, Detector.EMAIL, DlpAction.REDACT,
                new Callers(List.of(), List.of("ns" + i), Map.of()))).toArray(Rule[]::new);
        assertThatThrownBy(() -> DlpRules.compile(List.of(policy("p", Inspection.DEFAULTS, many)), null))
                .hasMessage("64 DLP rules for some callers apply to one workload (at most 63)");
    }

    @Test
    void findingsCarryASaltedHashOfTheirValueNeverTheValue() {
        byte[] salt = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
        DlpRules rules = DlpRules.compile(List.of(policy("p", Inspection.DEFAULTS,
                rule("r", BOTH, Detector.EMAIL, DlpAction.REDACT, Callers.ANY))), new ValueHashes(salt));
        byte[] body = "ana@example.com and ana@example.com and bob@example.com".getBytes(StandardCharsets.UTF_8);
        List<Redactor.Finding> findings = rules.plan(Direction.REQUEST, PROD).orElseThrow().redactor().apply(body, 0, body.length)
                .findings();
        assertThat(findings).extracting(Redactor.Finding::valueHash).allMatch(h -> h.matches("sha256:[0-9a-f]{16}"));
        assertThat(findings.get(0).valueHash()).isEqualTo(findings.get(1).valueHash()).isNotEqualTo(findings.get(2).valueHash());
        assertThat(new ValueHashes("fedcba9876543210".getBytes(StandardCharsets.US_ASCII)).of(body, 0, 15))
                .as("another salt, another hash").isNotEqualTo(findings.get(0).valueHash());
        assertThatThrownBy(() -> new ValueHashes(new byte[8])).hasMessageContaining("at least 16");
    }
}
