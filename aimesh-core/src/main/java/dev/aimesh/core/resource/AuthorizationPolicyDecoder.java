package dev.aimesh.core.resource;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import dev.aimesh.core.authz.Condition;
import dev.aimesh.core.authz.ConditionKey;
import dev.aimesh.core.authz.IpBlock;
import dev.aimesh.core.authz.PathMatch;
import dev.aimesh.core.authz.Ports;
import dev.aimesh.core.authz.PrincipalPattern;
import dev.aimesh.core.authz.RequestTest;
import dev.aimesh.core.authz.StringMatch;
import dev.aimesh.core.config.MappingReader;
import dev.aimesh.core.config.Position;
import dev.aimesh.core.resource.AuthorizationPolicy.Action;
import dev.aimesh.core.resource.AuthorizationPolicy.Operation;
import dev.aimesh.core.resource.AuthorizationPolicy.Rule;
import dev.aimesh.core.resource.AuthorizationPolicy.Source;

/** Decodes and validates an AuthorizationPolicy, reporting every problem with its field path. */
final class AuthorizationPolicyDecoder {
    static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH");

    private AuthorizationPolicyDecoder() {}

    static Optional<Resource> decode(ObjectMeta metadata, Position position, MappingReader spec) {
        WorkloadTargets scope = WorkloadTargets.decode(spec, metadata);
        Action action = spec.value("action", AuthorizationPolicyDecoder::action).orElse(Action.ALLOW);
        if (spec.has("provider")) {
            spec.node("provider");
            spec.error("provider", "is only for action CUSTOM, which aimesh does not support");
        }
        List<Rule> rules = new ArrayList<>();
        for (MappingReader.Item item : spec.list("rules")) {
            item.mapping(spec.diagnostics()).map(AuthorizationPolicyDecoder::rule).ifPresent(rules::add);
        }
        spec.finish();
        boolean dryRun = dryRun(metadata, position, spec);
        return Optional.of(new AuthorizationPolicy(metadata, position, scope.selector(), scope.targets(), action, rules, dryRun));
    }

    private static Action action(String text) {
        return switch (text) {
            case "ALLOW" -> Action.ALLOW;
            case "DENY" -> Action.DENY;
            case "AUDIT" -> Action.AUDIT;
            case "CUSTOM" -> throw new IllegalArgumentException("CUSTOM (an external authorizer) is not supported;"
                    + " use ALLOW, DENY or AUDIT");
            default -> throw new IllegalArgumentException("'" + text + "' is not an action (expected: ALLOW, DENY or AUDIT)");
        };
    }

    private static boolean dryRun(ObjectMeta metadata, Position position, MappingReader spec) {
        String value = metadata.annotations().get(AuthorizationPolicy.DRY_RUN_ANNOTATION);
        if (value == null || value.equals("false")) {
            return false;
        }
        if (!value.equals("true")) {
            spec.diagnostics().error(position, "metadata.annotations[" + AuthorizationPolicy.DRY_RUN_ANNOTATION + "]",
                    "'" + value + "' is not \"true\" or \"false\"");
        }
        return true;
    }

    private static Rule rule(MappingReader rule) {
        List<Source> from = new ArrayList<>();
        for (MappingReader.Item item : rule.list("from")) {
            item.mapping(rule.diagnostics()).flatMap(f -> {
                Optional<Source> source = f.has("source") ? f.mapping("source").flatMap(AuthorizationPolicyDecoder::source)
                        : missing(f, "source");
                f.finish();
                return source;
            }).ifPresent(from::add);
        }
        List<Operation> to = new ArrayList<>();
        for (MappingReader.Item item : rule.list("to")) {
            item.mapping(rule.diagnostics()).flatMap(t -> {
                Optional<Operation> operation = t.has("operation")
                        ? t.mapping("operation").flatMap(AuthorizationPolicyDecoder::operation) : missing(t, "operation");
                t.finish();
                return operation;
            }).ifPresent(to::add);
        }
        List<Condition> when = new ArrayList<>();
        for (MappingReader.Item item : rule.list("when")) {
            item.mapping(rule.diagnostics()).flatMap(AuthorizationPolicyDecoder::condition).ifPresent(when::add);
        }
        rule.finish();
        return new Rule(rule.position(), from, to, when);
    }

    private static <T> Optional<T> missing(MappingReader m, String key) {
        m.node(key);
        m.error(key, "is required");
        return Optional.empty();
    }

    private static Optional<Source> source(MappingReader s) {
        int before = s.diagnostics().size();
        Source source = new Source(
                list(s, "principals", PrincipalPattern::parse), list(s, "notPrincipals", PrincipalPattern::parse),
                list(s, "requestPrincipals", StringMatch::parse), list(s, "notRequestPrincipals", StringMatch::parse),
                list(s, "namespaces", StringMatch::parse), list(s, "notNamespaces", StringMatch::parse),
                list(s, "ipBlocks", IpBlock::parse), list(s, "notIpBlocks", IpBlock::parse),
                list(s, "remoteIpBlocks", IpBlock::parse), list(s, "notRemoteIpBlocks", IpBlock::parse));
        return nonEmpty(s, before, source.equals(new Source(List.of(), List.of(), List.of(), List.of(), List.of(), List.of(),
                List.of(), List.of(), List.of(), List.of())), source);
    }

    private static Optional<Operation> operation(MappingReader o) {
        int before = o.diagnostics().size();
        Operation operation = new Operation(
                list(o, "hosts", StringMatch::parseIgnoringCase), list(o, "notHosts", StringMatch::parseIgnoringCase),
                list(o, "ports", Ports::parse), list(o, "notPorts", Ports::parse),
                list(o, "methods", AuthorizationPolicyDecoder::method), list(o, "notMethods", AuthorizationPolicyDecoder::method),
                list(o, "paths", PathMatch::parse), list(o, "notPaths", PathMatch::parse));
        return nonEmpty(o, before, operation.equals(new Operation(List.of(), List.of(), List.of(), List.of(), List.of(), List.of(),
                List.of(), List.of())), operation);
    }

    /** Finishes a source or operation; one that sets nothing (and had no bad values) is reported. */
    private static <T> Optional<T> nonEmpty(MappingReader m, int problemsBefore, boolean empty, T value) {
        m.finish();
        if (empty && m.diagnostics().size() == problemsBefore) {
            m.diagnostics().error(m.position(), m.path(), "sets no field; leave it out to match everything");
        }
        return Optional.of(value);
    }

    private static Optional<Condition> condition(MappingReader c) {
        Optional<ConditionKey> key = c.has("key") ? c.value("key", ConditionKey::parse) : c.requiredString("key").map(ConditionKey::parse);
        List<String> values = new ArrayList<>();
        List<RequestTest> valueTests = key.map(k -> values(c, "values", k, values)).orElse(List.of());
        List<String> notValues = new ArrayList<>();
        List<RequestTest> notValueTests = key.map(k -> values(c, "notValues", k, notValues)).orElse(List.of());
        if (key.isEmpty()) {
            c.node("values");
            c.node("notValues");
        } else if (!c.has("values") && !c.has("notValues")) {
            c.error("values", "a condition needs values or notValues");
        }
        c.finish();
        return key.map(k -> new Condition(k, values, valueTests, notValues, notValueTests));
    }

    private static List<RequestTest> values(MappingReader c, String field, ConditionKey key, List<String> texts) {
        List<RequestTest> tests = new ArrayList<>();
        List<MappingReader.Item> items = c.list(field);
        if (items.isEmpty() && c.has(field)) {
            c.error(field, "is empty; leave it out or give at least one value");
        }
        for (MappingReader.Item item : items) {
            c.convert(item.node(), item.path(), text -> {
                RequestTest test = key.value(text);
                texts.add(text);
                return test;
            }).ifPresent(tests::add);
        }
        return tests;
    }

    private static <T> List<T> list(MappingReader m, String field, Function<String, T> parser) {
        List<T> out = new ArrayList<>();
        for (MappingReader.Item item : m.list(field)) {
            m.convert(item.node(), item.path(), parser).ifPresent(out::add);
        }
        return out;
    }

    private static String method(String text) {
        if (!METHODS.contains(text)) {
            throw new IllegalArgumentException("'" + text + "' is not an HTTP method (expected one of: "
                    + String.join(", ", METHODS.stream().sorted().toList()) + ")");
        }
        return text;
    }
}
