package dev.aimesh.core.resource;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import dev.aimesh.core.config.Diagnostic;

class RoleDecodersTest {
    private static List<String> problems(String yaml) {
        var loaded = ConfigLoader.load(List.of(new ConfigLoader.SourceFile("roles.yaml", yaml)));
        List<Diagnostic> all = new ArrayList<>(loaded.diagnostics());
        all.addAll(MeshConfig.assemble(loaded.resources()).problems());
        return all.stream().map(Diagnostic::toString).toList();
    }

    @Test
    void badRolesAndBindingsAreReportedWithTheirFields() {
        assertThat(problems("""
                apiVersion: aimesh.dev/v1alpha1
                kind: Role
                metadata: {name: user, namespace: models}
                spec:
                  rules:
                  - operations: [infer, train]
                    models: ["a*b"]
                ---
                apiVersion: aimesh.dev/v1alpha1
                kind: RoleBinding
                metadata: {name: b, namespace: models}
                spec:
                  roleRef: {name: user}
                  subjects:
                  - {principal: cluster.local/ns/apps/sa/chat, namespace: apps}
                  - {}
                  - claim: {name: groups}
                ---
                apiVersion: aimesh.dev/v1alpha1
                kind: RoleBinding
                metadata: {name: orphan, namespace: models}
                spec:
                  roleRef: {name: nobody}
                  subjects: [{namespace: apps}]
                """)).containsExactly(
                "roles.yaml:6:25: spec.rules[0].operations[1]: 'train' is not an AI operation "
                        + "(expected one of: chat, completions, embeddings, infer, metadata, admin)",
                "roles.yaml:7:14: spec.rules[0].models[0]: 'a*b': '*' may only start or end a value (prefix or suffix match)",
                "roles.yaml:15:5: spec.subjects[0]: a subject is one of principal, namespace, requestPrincipal or claim, not several",
                "roles.yaml:16:5: spec.subjects[1]: names nobody (expected one of principal, namespace, requestPrincipal, claim)",
                "roles.yaml:17:12: spec.subjects[2].claim.values: is required: the claim values that get the role",
                "roles.yaml:19:1: spec.roleRef.name: no Role models/nobody (a binding gives a Role of its own namespace)");
    }

    @Test
    void aSubjectPrincipalOfTheWrongShapeIsRefused() {
        assertThat(problems("""
                apiVersion: aimesh.dev/v1alpha1
                kind: RoleBinding
                metadata: {name: b, namespace: models}
                spec:
                  roleRef: {name: user}
                  subjects:
                  - {principal: ns/apps/sa/chat-app}
                """)).first().isEqualTo("roles.yaml:7:17: spec.subjects[0].principal: 'ns/apps/sa/chat-app' is not a principal"
                        + " (expected: <trust-domain>/ns/<namespace>/sa/<service-account>)");
    }
}
