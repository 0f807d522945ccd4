package dev.aimesh.core.resource;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import dev.aimesh.core.config.MappingReader;
import dev.aimesh.core.config.Position;
import dev.aimesh.core.config.YamlDocuments;
import dev.aimesh.core.config.YamlNode;

/** Decodes and validates a RequestAuthentication, reporting every problem with its field path. */
final class RequestAuthenticationDecoder {
    private static final Pattern URL = Pattern.compile("(?i)https?://[A-Za-z0-9.\\[\\]:-]+(/[^\\s#]*)?");
    private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

    private RequestAuthenticationDecoder() {}

    static Optional<Resource> decode(ObjectMeta metadata, Position position, MappingReader spec) {
        WorkloadTargets scope = WorkloadTargets.decode(spec, metadata);
        List<RequestAuthentication.JwtRule> rules = new ArrayList<>();
        List<String> issuers = new ArrayList<>();
        for (MappingReader.Item item : spec.list("jwtRules")) {
            item.mapping(spec.diagnostics()).flatMap(RequestAuthenticationDecoder::rule).ifPresent(rule -> {
                if (issuers.contains(rule.issuer())) {
                    spec.diagnostics().error(item.node().position(), item.path() + ".issuer",
                            "issuer " + rule.issuer() + " has a rule already in this policy");
                }
                issuers.add(rule.issuer());
                rules.add(rule);
            });
        }
        spec.finish();
        return Optional.of(new RequestAuthentication(metadata, position, scope.selector(), scope.targets(), rules));
    }

    private static Optional<RequestAuthentication.JwtRule> rule(MappingReader r) {
        Optional<String> issuer = r.requiredString("issuer");
        List<String> audiences = r.stringList("audiences");
        Optional<String> jwksUri = r.value("jwksUri", RequestAuthenticationDecoder::url);
        Optional<String> jwks = r.node("jwks").flatMap(node -> jwks(r, node));
        if (r.has("jwks") && r.has("jwksUri")) {
            r.error("jwks", "set either jwks or jwksUri, not both");
        }
        issuer.filter(i -> jwksUri.isEmpty() && jwks.isEmpty() && !r.has("jwks") && !r.has("jwksUri"))
                .ifPresent(i -> {
                    try {
                        url(i);
                    } catch (IllegalArgumentException e) {
                        r.error("issuer", "without jwks or jwksUri the keys are found by OIDC discovery, which needs"
                                + " the issuer to be an https URL: " + e.getMessage());
                    }
                });
        List<RequestAuthentication.HeaderLocation> headers = new ArrayList<>();
        for (MappingReader.Item item : r.list("fromHeaders")) {
            item.mapping(r.diagnostics()).ifPresent(h -> {
                Optional<String> name = h.has("name") ? h.value("name", RequestAuthenticationDecoder::headerName)
                        : h.requiredString("name");
                String prefix = h.string("prefix").orElse("");
                h.finish();
                name.ifPresent(n -> headers.add(new RequestAuthentication.HeaderLocation(n, prefix)));
            });
        }
        List<String> params = r.stringList("fromParams");
        List<String> cookies = r.stringList("fromCookies");
        Optional<String> payloadHeader = r.value("outputPayloadToHeader", RequestAuthenticationDecoder::headerName);
        List<RequestAuthentication.ClaimToHeader> claimHeaders = new ArrayList<>();
        for (MappingReader.Item item : r.list("outputClaimToHeaders")) {
            item.mapping(r.diagnostics()).ifPresent(c -> {
                Optional<String> header = c.has("header") ? c.value("header", RequestAuthenticationDecoder::headerName)
                        : c.requiredString("header");
                Optional<String> claim = c.requiredString("claim");
                c.finish();
                if (header.isPresent() && claim.isPresent()) {
                    claimHeaders.add(new RequestAuthentication.ClaimToHeader(header.get(), claim.get()));
                }
            });
        }
        boolean forward = r.bool("forwardOriginalToken").orElse(false);
        var timeout = r.duration("timeout", java.time.Duration.ofMillis(100), java.time.Duration.ofMinutes(1))
                .orElse(RequestAuthentication.JwtRule.DEFAULT_TIMEOUT);
        r.finish();
        return issuer.map(i -> new RequestAuthentication.JwtRule(i, audiences, jwksUri, jwks, headers, params, cookies,
                payloadHeader, claimHeaders, forward, timeout));
    }

    /** An inline JWKS: JSON text with a list of keys, each with its {@code kty}. */
    private static Optional<String> jwks(MappingReader r, YamlNode node) {
        return r.convert(node, r.fieldPath("jwks"), text -> {
            var parsed = YamlDocuments.parse("jwks", text);
            if (!(parsed instanceof YamlDocuments.Result.Parsed p) || p.documents().size() != 1
                    || !(p.documents().get(0).root().orElse(null) instanceof YamlNode.Mapping m)
                    || !(m.entries().get("keys") instanceof YamlNode.Sequence keys) || keys.items().isEmpty()
                    || !keys.items().stream().allMatch(k -> k instanceof YamlNode.Mapping km && km.entries().containsKey("kty"))) {
                throw new IllegalArgumentException("is not a JWKS (expected JSON like {\"keys\": [{\"kty\": \"EC\", ...}]})");
            }
            return text;
        });
    }

    private static String url(String text) {
        if (!URL.matcher(text).matches()) {
            throw new IllegalArgumentException("'" + text + "' is not an http(s) URL");
        }
        return text;
    }

    private static String headerName(String text) {
        if (!HEADER_NAME.matcher(text).matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a header name");
        }
        return text.toLowerCase(Locale.ROOT);
    }
}
