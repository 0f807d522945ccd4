package dev.aimesh.core.resource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import dev.aimesh.core.ai.AiOperation;
import dev.aimesh.core.authz.ConditionKey;
import dev.aimesh.core.authz.PrincipalPattern;
import dev.aimesh.core.authz.StringMatch;
import dev.aimesh.core.config.MappingReader;
import dev.aimesh.core.config.Position;

/** Decodes Role and RoleBinding. */
final class RoleDecoders {
    private RoleDecoders() {}

    static Optional<Resource> role(ObjectMeta metadata, Position position, MappingReader spec) {
        List<Role.Grant> grants = new ArrayList<>();
        List<MappingReader.Item> rules = spec.list("rules");
        if (rules.isEmpty()) {
            spec.error("rules", "is required: a role grants at least one rule");
        }
        for (MappingReader.Item item : rules) {
            item.mapping(spec.diagnostics()).ifPresent(r -> {
                List<AiOperation> operations = new ArrayList<>();
                for (MappingReader.Item op : r.list("operations")) {
                    r.convert(op.node(), op.path(), text -> AiOperation.of(text).orElseThrow(() -> new IllegalArgumentException(
                            "'" + text + "' is not an AI operation (expected one of: " + AiOperation.keys() + ")")))
                            .ifPresent(operations::add);
                }
                List<StringMatch> models = new ArrayList<>();
                for (MappingReader.Item m : r.list("models")) {
                    r.convert(m.node(), m.path(), StringMatch::parse).ifPresent(models::add);
                }
                r.finish();
                grants.add(new Role.Grant(operations, models));
            });
        }
        spec.finish();
        return Optional.of(new Role(metadata, position, grants));
    }

    static Optional<Resource> binding(ObjectMeta metadata, Position position, MappingReader spec) {
        String role = spec.mapping("roleRef").flatMap(ref -> {
            Optional<String> name = ref.has("name") ? ref.value("name", Names::requireSubdomain) : ref.requiredString("name");
            ref.string("kind").filter(k -> !k.equals("Role")).ifPresent(k -> ref.error("kind", "'" + k + "' is not Role"));
            ref.finish();
            return name;
        }).orElse("");
        if (!spec.has("roleRef")) {
            spec.error("roleRef", "is required (the Role to give, in this namespace)");
        }
        List<RoleBinding.Subject> subjects = new ArrayList<>();
        List<MappingReader.Item> items = spec.list("subjects");
        if (items.isEmpty()) {
            spec.error("subjects", "is required: who gets the role");
        }
        for (MappingReader.Item item : items) {
            item.mapping(spec.diagnostics()).flatMap(RoleDecoders::subject).ifPresent(subjects::add);
        }
        Optional<Map<String, String>> selector = spec.mapping("selector").map(s -> {
            Map<String, String> labels = s.stringMap("matchLabels");
            s.finish();
            return labels;
        });
        spec.finish();
        return Optional.of(new RoleBinding(metadata, position, role, subjects, selector));
    }

    /** Exactly one of principal, namespace, requestPrincipal, claim. */
    private static Optional<RoleBinding.Subject> subject(MappingReader s) {
        List<RoleBinding.Subject> found = new ArrayList<>();
        s.value("principal", PrincipalPattern::parse).map(RoleBinding.Subject.Principal::new).ifPresent(found::add);
        s.value("namespace", StringMatch::parse).map(RoleBinding.Subject.Namespace::new).ifPresent(found::add);
        s.value("requestPrincipal", StringMatch::parse).map(RoleBinding.Subject.RequestPrincipal::new).ifPresent(found::add);
        s.mapping("claim").ifPresent(c -> {
            Optional<String> name = c.requiredString("name");
            name.ifPresent(n -> c.convert(c.node("name").orElseThrow(), c.fieldPath("name"),
                    text -> ConditionKey.parse("request.auth.claims[" + text + "]")));
            List<String> values = c.stringList("values");
            if (values.isEmpty()) {
                c.error("values", "is required: the claim values that get the role");
            }
            c.finish();
            name.ifPresent(n -> found.add(new RoleBinding.Subject.Claim(n, values)));
        });
        if (found.size() > 1) {
            s.diagnostics().error(s.position(), s.path(), "a subject is one of principal, namespace, requestPrincipal"
                    + " or claim, not several");
        } else if (!s.has("principal") && !s.has("namespace") && !s.has("requestPrincipal") && !s.has("claim")) {
            s.diagnostics().error(s.position(), s.path(), "names nobody (expected one of principal, namespace,"
                    + " requestPrincipal, claim)");
        }
        s.finish();
        return found.size() == 1 ? Optional.of(found.get(0)) : Optional.empty();
    }
}
