package dev.aimesh.core.resource;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import dev.aimesh.core.ai.AiOperation;
import dev.aimesh.core.authz.Condition;
import dev.aimesh.core.authz.ConditionKey;
import dev.aimesh.core.authz.RequestTest;
import dev.aimesh.core.authz.StringMatch;
import dev.aimesh.core.resource.AuthorizationPolicy.Rule;
import dev.aimesh.core.resource.AuthorizationPolicy.Source;

/**
 * Compiles a RoleBinding and its Role into the ALLOW AuthorizationPolicy they mean: one rule per subject
 * and grant, the subject as the rule's source (or, for a claim, a condition on it), the grant's operations
 * and models as conditions on {@code request.ai.operation} and {@code request.model}. Named
 * {@code RoleBinding/<name>}, so decisions say where they came from.
 */
final class RoleBindings {
    private static final ConditionKey OPERATION = ConditionKey.parse("request.ai.operation");
    private static final ConditionKey MODEL = ConditionKey.parse("request.model");

    private RoleBindings() {}

    static AuthorizationPolicy compile(RoleBinding binding, Role role) {
        List<Rule> rules = new ArrayList<>();
        for (RoleBinding.Subject subject : binding.subjects()) {
            for (Role.Grant grant : role.rules()) {
                List<Source> from = new ArrayList<>();
                List<Condition> when = new ArrayList<>();
                switch (subject) {
                    case RoleBinding.Subject.Principal p -> from.add(source(List.of(p.principal()), List.of(), List.of()));
                    case RoleBinding.Subject.Namespace n -> from.add(source(List.of(), List.of(n.namespace()), List.of()));
                    case RoleBinding.Subject.RequestPrincipal r -> from.add(source(List.of(), List.of(), List.of(r.requestPrincipal())));
                    case RoleBinding.Subject.Claim c -> when.add(condition(ConditionKey.parse("request.auth.claims[" + c.name() + "]"),
                            c.values()));
                }
                if (!grant.operations().isEmpty()) {
                    when.add(condition(OPERATION, grant.operations().stream().map(AiOperation::key).toList()));
                }
                if (!grant.models().isEmpty()) {
                    when.add(condition(MODEL, grant.models().stream().map(StringMatch::pattern).toList()));
                }
                rules.add(new Rule(binding.position(), from, List.of(), when));
            }
        }
        ObjectMeta meta = new ObjectMeta("RoleBinding/" + binding.metadata().name(), binding.metadata().namespace(),
                binding.metadata().labels(), java.util.Map.of());
        return new AuthorizationPolicy(meta, binding.position(), binding.selector(), List.of(),
                AuthorizationPolicy.Action.ALLOW, rules, false);
    }

    private static Source source(List<StringMatch> principals, List<StringMatch> namespaces, List<StringMatch> requestPrincipals) {
        return new Source(principals, List.of(), requestPrincipals, List.of(), namespaces, List.of(),
                List.of(), List.of(), List.of(), List.of());
    }

    private static Condition condition(ConditionKey key, List<String> values) {
        List<RequestTest> tests = values.stream().map(key::value).toList();
        return new Condition(key, values, tests, List.of(), List.of());
    }

    /** The role a binding names, from the config's roles. */
    static Optional<Role> roleOf(RoleBinding binding, List<Role> roles) {
        return roles.stream().filter(r -> r.metadata().namespace().equals(binding.metadata().namespace())
                && r.metadata().name().equals(binding.role())).findFirst();
    }
}
