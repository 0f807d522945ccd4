package dev.aimesh.api;

import static dev.aimesh.api.ProtoFields.metadata;
import static dev.aimesh.api.ProtoFields.position;

import java.util.List;
import java.util.function.Function;
import dev.aimesh.core.authz.Condition;
import dev.aimesh.core.authz.ConditionKey;
import dev.aimesh.core.authz.IpBlock;
import dev.aimesh.core.authz.PathMatch;
import dev.aimesh.core.authz.Ports;
import dev.aimesh.core.authz.StringMatch;
import dev.aimesh.core.resource.AuthorizationPolicy;
import dev.aimesh.core.resource.AuthorizationPolicy.Action;
import dev.aimesh.core.resource.AuthorizationPolicy.Operation;
import dev.aimesh.core.resource.AuthorizationPolicy.Rule;
import dev.aimesh.core.resource.AuthorizationPolicy.Source;

/**
 * {@link AuthorizationPolicy} to and from its message. Matchers travel as written (a path template, a CIDR
 * block, a condition's key and values) and are made again by the parsers that validated them, so the proxy's
 * matchers are the control plane's.
 */
final class AuthorizationPolicyMessages {
    private AuthorizationPolicyMessages() {}

    static dev.aimesh.api.v1.AuthorizationPolicy toProto(AuthorizationPolicy policy) {
        var builder = dev.aimesh.api.v1.AuthorizationPolicy.newBuilder().setMetadata(metadata(policy.metadata()))
                .setPosition(position(policy.position())).addAllTargets(policy.targets())
                .setAction(dev.aimesh.api.v1.AuthorizationPolicy.Action.valueOf(policy.action().name()))
                .setDryRun(policy.dryRun());
        policy.selector().ifPresent(s -> builder.setSelector(ProtoFields.labels(s)));
        for (Rule rule : policy.rules()) {
            var r = dev.aimesh.api.v1.AuthorizationPolicy.Rule.newBuilder().setPosition(position(rule.position()));
            rule.from().forEach(s -> r.addFrom(source(s)));
            rule.to().forEach(o -> r.addTo(operation(o)));
            rule.when().forEach(c -> r.addWhen(dev.aimesh.api.v1.AuthorizationPolicy.Condition.newBuilder()
                    .setKey(c.key().text()).addAllValues(c.values()).addAllNotValues(c.notValues())));
            builder.addRules(r);
        }
        return builder.build();
    }

    static AuthorizationPolicy fromProto(dev.aimesh.api.v1.AuthorizationPolicy message) {
        List<Rule> rules = message.getRulesList().stream().map(r -> new Rule(position(r.getPosition()),
                r.getFromList().stream().map(AuthorizationPolicyMessages::source).toList(),
                r.getToList().stream().map(AuthorizationPolicyMessages::operation).toList(),
                r.getWhenList().stream().map(c -> Condition.of(ConditionKey.parse(c.getKey()), c.getValuesList(),
                        c.getNotValuesList())).toList())).toList();
        return new AuthorizationPolicy(metadata(message.getMetadata()), position(message.getPosition()),
                ProtoFields.selector(message.hasSelector(), message.getSelector()), message.getTargetsList(),
                action(message.getActionValue()), rules, message.getDryRun());
    }

    private static Action action(int value) {
        return switch (value) {
            case dev.aimesh.api.v1.AuthorizationPolicy.Action.ALLOW_VALUE -> Action.ALLOW;
            case dev.aimesh.api.v1.AuthorizationPolicy.Action.DENY_VALUE -> Action.DENY;
            case dev.aimesh.api.v1.AuthorizationPolicy.Action.AUDIT_VALUE -> Action.AUDIT;
            default -> throw ProtoFields.unknown("action", value, "ALLOW, DENY or AUDIT");
        };
    }

    private static dev.aimesh.api.v1.AuthorizationPolicy.Source source(Source s) {
        return dev.aimesh.api.v1.AuthorizationPolicy.Source.newBuilder()
                .addAllPrincipals(toMatches(s.principals())).addAllNotPrincipals(toMatches(s.notPrincipals()))
                .addAllRequestPrincipals(toMatches(s.requestPrincipals()))
                .addAllNotRequestPrincipals(toMatches(s.notRequestPrincipals()))
                .addAllNamespaces(toMatches(s.namespaces())).addAllNotNamespaces(toMatches(s.notNamespaces()))
                .addAllIpBlocks(map(s.ipBlocks(), IpBlock::text)).addAllNotIpBlocks(map(s.notIpBlocks(), IpBlock::text))
                .addAllRemoteIpBlocks(map(s.remoteIpBlocks(), IpBlock::text)).addAllNotRemoteIpBlocks(map(s.notRemoteIpBlocks(), IpBlock::text))
                .build();
    }

    private static Source source(dev.aimesh.api.v1.AuthorizationPolicy.Source s) {
        return new Source(fromMatches(s.getPrincipalsList()), fromMatches(s.getNotPrincipalsList()),
                fromMatches(s.getRequestPrincipalsList()), fromMatches(s.getNotRequestPrincipalsList()),
                fromMatches(s.getNamespacesList()), fromMatches(s.getNotNamespacesList()),
                map(s.getIpBlocksList(), IpBlock::parse), map(s.getNotIpBlocksList(), IpBlock::parse),
                map(s.getRemoteIpBlocksList(), IpBlock::parse), map(s.getNotRemoteIpBlocksList(), IpBlock::parse));
    }

    private static dev.aimesh.api.v1.AuthorizationPolicy.Operation operation(Operation o) {
        return dev.aimesh.api.v1.AuthorizationPolicy.Operation.newBuilder()
                .addAllHosts(toMatches(o.hosts())).addAllNotHosts(toMatches(o.notHosts()))
                .addAllPorts(o.ports()).addAllNotPorts(o.notPorts())
                .addAllMethods(o.methods()).addAllNotMethods(o.notMethods())
                .addAllPaths(map(o.paths(), PathMatch::pattern)).addAllNotPaths(map(o.notPaths(), PathMatch::pattern)).build();
    }

    private static Operation operation(dev.aimesh.api.v1.AuthorizationPolicy.Operation o) {
        return new Operation(fromMatches(o.getHostsList()), fromMatches(o.getNotHostsList()),
                map(o.getPortsList(), AuthorizationPolicyMessages::port), map(o.getNotPortsList(), AuthorizationPolicyMessages::port),
                o.getMethodsList(), o.getNotMethodsList(),
                map(o.getPathsList(), PathMatch::parse), map(o.getNotPathsList(), PathMatch::parse));
    }

    private static int port(int port) {
        return Ports.parse(Integer.toString(port)); // the range check the decoder made
    }

    private static List<dev.aimesh.api.v1.StringMatch> toMatches(List<StringMatch> matches) {
        return matches.stream().map(ProtoFields::match).toList();
    }

    private static List<StringMatch> fromMatches(List<dev.aimesh.api.v1.StringMatch> matches) {
        return matches.stream().map(ProtoFields::match).toList();
    }

    private static <A, B> List<B> map(List<A> values, Function<A, B> parse) {
        return values.stream().map(parse).toList();
    }
}
