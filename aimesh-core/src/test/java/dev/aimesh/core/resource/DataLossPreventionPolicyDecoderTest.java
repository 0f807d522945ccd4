package dev.aimesh.core.resource;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import dev.aimesh.core.authz.StringMatch;
import dev.aimesh.core.config.Diagnostic;
import dev.aimesh.core.dlp.Detector;
import dev.aimesh.core.dlp.DlpAction;
import dev.aimesh.core.resource.DataLossPreventionPolicy.Direction;
import dev.aimesh.core.resource.DataLossPreventionPolicy.OverLimit;

class DataLossPreventionPolicyDecoderTest {
    private static ConfigLoader.LoadResult load(String yaml) {
        return ConfigLoader.load(List.of(new ConfigLoader.SourceFile("dlp.yaml", yaml)));
    }

    private static List<String> problems(String yaml) {
        var result = load(yaml);
        assertThat(result.resources()).as("a resource with problems is rejected whole").isEmpty();
        return result.diagnostics().stream().map(Diagnostic::toString).toList();
    }

    @Test
    void aPolicyDecodesWithItsRulesCallersAndInspection() {
        var result = load("""
                apiVersion: aimesh.dev/v1alpha1
                kind: DataLossPreventionPolicy
                metadata: {name: sentiment, namespace: models}
                spec:
                  selector: {matchLabels: {app: sentiment}}
                  rules:
                    - name: no-cards
                      direction: request
                      detectors: [payment-card, us-ssn]
                      action: block
                    - direction: response
                      detectors: [email]
                      action: redact
                      callers:
                        principals: ["cluster.local/ns/dev/*"]
                        namespaces: [staging]
                        labels: {environment: dev}
                    - detectors: [aws-access-key]
                      action: audit
                  inspection: {maxBodyBytes: 64Ki, overLimit: pass}
                """);
        assertThat(result.diagnostics()).isEmpty();
        DataLossPreventionPolicy policy = (DataLossPreventionPolicy) result.resources().get(0);
        assertThat(policy.ref()).isEqualTo("models/sentiment");
        assertThat(policy.selector()).contains(Map.of("app", "sentiment"));
        assertThat(policy.rules()).hasSize(3);
        var cards = policy.rules().get(0);
        assertThat(cards.name()).isEqualTo("no-cards");
        assertThat(cards.directions()).containsExactly(Direction.REQUEST);
        assertThat(cards.detectors()).isEqualTo(EnumSet.of(Detector.PAYMENT_CARD, Detector.US_SSN));
        assertThat(cards.action()).isEqualTo(DlpAction.BLOCK);
        assertThat(cards.callers().any()).isTrue();
        var emails = policy.rules().get(1);
        assertThat(emails.name()).as("a rule without a name is named by its place").isEqualTo("rules[1]");
        assertThat(emails.callers().principals()).containsExactly(StringMatch.parse("cluster.local/ns/dev/*"));
        assertThat(emails.callers().namespaces()).containsExactly("staging");
        assertThat(emails.callers().labels()).isEqualTo(Map.of("environment", "dev"));
        assertThat(policy.rules().get(2).directions()).as("both directions by default")
                .isEqualTo(Set.of(Direction.REQUEST, Direction.RESPONSE));
        assertThat(policy.inspection().maxBodyBytes()).isEqualTo(64 * 1024);
        assertThat(policy.inspection().overLimit()).isEqualTo(OverLimit.PASS);
    }

    @Test
    void withoutInspectionTheCapIsOneMebibyteAndLongerBodiesAreRefused() {
        var result = load("""
                apiVersion: aimesh.dev/v1alpha1
                kind: DataLossPreventionPolicy
                metadata: {name: all, namespace: aimesh-system}
                spec:
                  rules: [{detectors: [email], action: mask}]
                """);
        DataLossPreventionPolicy policy = (DataLossPreventionPolicy) result.resources().get(0);
        assertThat(policy.selector()).isEqualTo(Optional.empty());
        assertThat(policy.inspection()).isEqualTo(DataLossPreventionPolicy.Inspection.DEFAULTS);
        assertThat(policy.inspection().maxBodyBytes()).isEqualTo(1024 * 1024);
    }

    @Test
    void everyProblemIsReportedWithFileLineColumnAndField() {
        assertThat(problems("""
                apiVersion: aimesh.dev/v1alpha1
                kind: DataLossPreventionPolicy
                metadata: {name: bad, namespace: models}
                spec:
                  rules:
                    - direction: upstream
                      detectors: [credit-card, email]
                      action: scrub
                    - detectors: [email]
                    - action: block
                    - detectors: [iban]
                      action: block
                      callers: {}
                    - detectors: [jwt]
                      action: audit
                      callers: {principals: ["spiffe://cluster.local/ns/a/sa/b"], namespaces: [Not_A_Label]}
                      when: always
                  inspection: {maxBodyBytes: 64MB, overLimit: drop}
                """)).containsExactly(
                "dlp.yaml:6:18: spec.rules[0].direction: 'upstream' is not a direction (expected: request, response or both)",
                "dlp.yaml:7:19: spec.rules[0].detectors[0]: 'credit-card' is not a detector (expected one of: email, phone,"
                        + " us-ssn, payment-card, iban, ipv4, ipv6, private-key, aws-access-key, github-token, gitlab-token,"
                        + " slack-token, openai-key, anthropic-key, jwt, generic-secret)",
                "dlp.yaml:8:15: spec.rules[0].action: 'scrub' is not an action (expected: audit, mask, redact or block)",
                "dlp.yaml:9:7: spec.rules[1].action: is required (audit, mask, redact or block)",
                "dlp.yaml:10:7: spec.rules[2].detectors: is required: the kinds of data to look for (email, phone, us-ssn,"
                        + " payment-card, iban, ipv4, ipv6, private-key, aws-access-key, github-token, gitlab-token,"
                        + " slack-token, openai-key, anthropic-key, jwt, generic-secret)",
                "dlp.yaml:13:16: spec.rules[3].callers.principals: callers names none: give principals, namespaces or labels"
                        + " (or leave callers out for every caller)",
                "dlp.yaml:16:30: spec.rules[4].callers.principals[0]: 'spiffe://cluster.local/ns/a/sa/b': write principals"
                        + " without 'spiffe://' (Istio's form: cluster.local/ns/a/sa/b)",
                "dlp.yaml:16:80: spec.rules[4].callers.namespaces[0]: 'Not_A_Label' is not a valid name (expected: at most 63"
                        + " lower-case letters, digits and '-', starting and ending with a letter or digit)",
                "dlp.yaml:17:7: spec.rules[4].when: unknown field",
                "dlp.yaml:18:30: spec.inspection.maxBodyBytes: '64MB' is not a size (expected: bytes, or a number with Ki,"
                        + " Mi or Gi, as 64Ki or 1Mi)",
                "dlp.yaml:18:47: spec.inspection.overLimit: 'drop' is not refuse or pass");
    }

    @Test
    void aPolicyNeedsRulesAndACapWithinSixteenMebibytes() {
        assertThat(problems("""
                apiVersion: aimesh.dev/v1alpha1
                kind: DataLossPreventionPolicy
                metadata: {name: empty, namespace: models}
                spec:
                  inspection: {maxBodyBytes: 32Mi}
                """)).containsExactly(
                "dlp.yaml:5:3: spec.rules: is required: at least one rule (detectors, and the action on what they find)",
                "dlp.yaml:5:30: spec.inspection.maxBodyBytes: '32Mi' is out of range (expected: 1 to 16Mi)");
    }
}
