package dev.aimesh.core.authz;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import dev.aimesh.core.identity.TrustDomain;
import dev.aimesh.core.resource.AuthorizationPolicy.Operation;
import dev.aimesh.core.resource.Mesh;
import dev.aimesh.core.resource.AuthorizationPolicy.Rule;
import dev.aimesh.core.resource.AuthorizationPolicy.Source;

/** Compiles a rule into one test: any of {@code from}, any of {@code to}, all of {@code when}. */
final class RuleTests {
    private static final String ISTIO_DEFAULT_DOMAIN = Mesh.DEFAULT_TRUST_DOMAIN.name() + "/";

    private RuleTests() {}

    /**
     * A compiled rule; {@code principals} is every peer principal it can match when each of its sources
     * names exact principals (so an index can skip it for others), or null when it may match any.
     */
    record CompiledRule(RequestTest test, Set<String> principals) {}

    /**
     * @param undeterminedModelMatches what a {@code request.model} condition says when the request's model
     *     could not be determined: true in DENY and AUDIT rules, false in ALLOW rules, so that not knowing
     *     narrows an ALLOW and widens a DENY
     */
    static CompiledRule compile(Rule rule, TrustDomain trustDomain, boolean undeterminedModelMatches) {
        List<RequestTest> from = rule.from().stream().map(s -> source(s, trustDomain)).toList();
        List<RequestTest> to = rule.to().stream().map(RuleTests::operation).toList();
        List<RequestTest> when = rule.when().stream().map(c -> condition(c, undeterminedModelMatches)).toList();
        RequestTest test = r -> (from.isEmpty() || Tests.any(from, r)) && (to.isEmpty() || Tests.any(to, r)) && Tests.all(when, r);
        return new CompiledRule(test, exactPrincipals(rule, trustDomain));
    }

    private static RequestTest condition(Condition c, boolean undeterminedModelMatches) {
        if (!c.key().isModel()) {
            return c;
        }
        return r -> r.model().modelUndetermined() ? undeterminedModelMatches : c.test(r);
    }

    private static Set<String> exactPrincipals(Rule rule, TrustDomain trustDomain) {
        if (rule.from().isEmpty()) {
            return null;
        }
        Set<String> all = new HashSet<>();
        for (Source s : rule.from()) {
            List<StringMatch> principals = aliased(s.principals(), trustDomain);
            if (principals.isEmpty() || !principals.stream().allMatch(p -> p instanceof StringMatch.Exact)) {
                return null;
            }
            principals.forEach(p -> all.add(((StringMatch.Exact) p).value()));
        }
        return all;
    }

    private static RequestTest source(Source s, TrustDomain trustDomain) {
        List<RequestTest> all = new ArrayList<>();
        field(all, aliased(s.principals(), trustDomain), aliased(s.notPrincipals(), trustDomain), AuthzRequest::principal);
        field(all, s.requestPrincipals(), s.notRequestPrincipals(), r -> r.token().map(AuthzRequest.Token::principal));
        field(all, s.namespaces(), s.notNamespaces(), AuthzRequest::sourceNamespace);
        ips(all, s.ipBlocks(), s.notIpBlocks(), AuthzRequest::sourceIp);
        ips(all, s.remoteIpBlocks(), s.notRemoteIpBlocks(), AuthzRequest::remoteIp);
        return r -> Tests.all(all, r);
    }

    private static RequestTest operation(Operation o) {
        List<RequestTest> all = new ArrayList<>();
        field(all, o.hosts(), o.notHosts(), r -> Optional.of(r.host()));
        if (!o.ports().isEmpty()) {
            all.add(r -> o.ports().contains(r.destinationPort()));
        }
        if (!o.notPorts().isEmpty()) {
            all.add(r -> !o.notPorts().contains(r.destinationPort()));
        }
        if (!o.methods().isEmpty()) {
            all.add(r -> o.methods().contains(r.method()));
        }
        if (!o.notMethods().isEmpty()) {
            all.add(r -> !o.notMethods().contains(r.method()));
        }
        if (!o.paths().isEmpty()) {
            all.add(r -> anyPath(o.paths(), r.path()));
        }
        if (!o.notPaths().isEmpty()) {
            all.add(r -> !anyPath(o.notPaths(), r.path()));
        }
        return r -> Tests.all(all, r);
    }

    /** A field with values and not-values; a missing attribute matches no value. */
    private static void field(List<RequestTest> into, List<StringMatch> values, List<StringMatch> notValues,
            Function<AuthzRequest, Optional<String>> attribute) {
        if (!values.isEmpty()) {
            into.add(r -> attribute.apply(r).map(v -> anyString(values, v)).orElse(false));
        }
        if (!notValues.isEmpty()) {
            into.add(r -> !attribute.apply(r).map(v -> anyString(notValues, v)).orElse(false));
        }
    }

    private static void ips(List<RequestTest> into, List<IpBlock> values, List<IpBlock> notValues,
            Function<AuthzRequest, byte[]> attribute) {
        if (!values.isEmpty()) {
            into.add(r -> anyIp(values, attribute.apply(r)));
        }
        if (!notValues.isEmpty()) {
            into.add(r -> !anyIp(notValues, attribute.apply(r)));
        }
    }

    /**
     * Istio treats {@code cluster.local}, its default trust domain, as an alias of the mesh's own, so
     * policies written for a default install keep working in a mesh with another trust domain.
     */
    private static List<StringMatch> aliased(List<StringMatch> principals, TrustDomain trustDomain) {
        String own = trustDomain.name() + "/";
        if (own.equals(ISTIO_DEFAULT_DOMAIN)) {
            return principals;
        }
        List<StringMatch> out = new ArrayList<>(principals);
        for (StringMatch p : principals) {
            if (p.pattern().startsWith(ISTIO_DEFAULT_DOMAIN)) {
                out.add(StringMatch.parse(own + p.pattern().substring(ISTIO_DEFAULT_DOMAIN.length())));
            }
        }
        return out;
    }

    private static boolean anyString(List<StringMatch> matches, String value) {
        for (int i = 0, n = matches.size(); i < n; i++) {
            if (matches.get(i).matches(value)) {
                return true;
            }
        }
        return false;
    }

    private static boolean anyPath(List<PathMatch> matches, String path) {
        for (int i = 0, n = matches.size(); i < n; i++) {
            if (matches.get(i).matches(path)) {
                return true;
            }
        }
        return false;
    }

    private static boolean anyIp(List<IpBlock> blocks, byte[] address) {
        for (int i = 0, n = blocks.size(); i < n; i++) {
            if (blocks.get(i).contains(address)) {
                return true;
            }
        }
        return false;
    }
}
