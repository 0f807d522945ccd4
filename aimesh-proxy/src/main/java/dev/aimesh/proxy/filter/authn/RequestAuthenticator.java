package dev.aimesh.proxy.filter.authn;

import java.text.ParseException;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import com.nimbusds.jose.jwk.JWKSet;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import dev.aimesh.core.authz.AuthzRequest;
import dev.aimesh.core.resource.RequestAuthentication;
import dev.aimesh.core.resource.RequestAuthentication.JwtRule;
import dev.aimesh.identity.jwt.JwtDecision;
import dev.aimesh.identity.jwt.JwtValidator;
import dev.aimesh.identity.jwt.KeySource;
import dev.aimesh.proxy.filter.RequestHead;

/**
 * The RequestAuthentications of one workload, compiled: finds the end user's token where the rules say
 * (by default {@code Authorization: Bearer} or the {@code access_token} parameter), validates it, and
 * passes on what the rules ask for (the payload or claims as headers); the token's own header is removed
 * unless {@code forwardOriginalToken}. The claim and payload headers are removed from every request first, so
 * the upstream only ever sees the values the proxy wrote from a verified token. A request without a token is anonymous, not refused: authorization
 * decides about it, as in Istio.
 */
public final class RequestAuthenticator {
    private static final RequestAuthenticator NONE = new RequestAuthenticator(List.of(), Map.of(), null, Set.of());

    private final List<JwtRule> rules;
    private final Map<String, JwksSource> fetched;
    private final JwtValidator validator;
    private final Set<String> identityHeaders;

    private RequestAuthenticator(List<JwtRule> rules, Map<String, JwksSource> fetched, JwtValidator validator,
            Set<String> identityHeaders) {
        this.rules = rules;
        this.fetched = fetched;
        this.validator = validator;
        this.identityHeaders = identityHeaders;
    }

    /**
     * The headers this proxy writes from a verified token (every {@code outputClaimToHeaders} header and
     * {@code outputPayloadToHeader} of every rule), in lower case: only the proxy may set them, so they are
     * removed from every request, with or without a token, and from its trailers.
     */
    public Set<String> identityHeaders() {
        return identityHeaders;
    }

    public static RequestAuthenticator none() {
        return NONE;
    }

    /** What authentication found. */
    public sealed interface Result {
        record Anonymous() implements Result {}

        record Authenticated(AuthzRequest.Token token) implements Result {}

        record Refused(String reason) implements Result {}
    }

    /** @throws IllegalArgumentException when an inline JWKS cannot be read (the snapshot is then refused) */
    public static RequestAuthenticator compile(List<RequestAuthentication> policies, JwksSources sources, InstantSource clock) {
        Map<String, JwtRule> byIssuer = new LinkedHashMap<>();
        for (RequestAuthentication p : policies) {
            for (JwtRule rule : p.jwtRules()) {
                byIssuer.putIfAbsent(rule.issuer(), rule); // the first policy by name wins for an issuer
            }
        }
        if (byIssuer.isEmpty()) {
            return NONE;
        }
        Set<String> identityHeaders = new TreeSet<>();
        for (RequestAuthentication p : policies) {
            for (JwtRule rule : p.jwtRules()) { // also the rules of an issuer another policy won: their headers are no one's to send
                rule.outputPayloadToHeader().ifPresent(h -> identityHeaders.add(h.toLowerCase(Locale.ROOT)));
                rule.outputClaimToHeaders().forEach(c -> identityHeaders.add(c.header().toLowerCase(Locale.ROOT)));
            }
        }
        List<dev.aimesh.identity.jwt.JwtRule> validation = new ArrayList<>();
        Map<String, JwksSource> fetched = new LinkedHashMap<>();
        for (JwtRule rule : byIssuer.values()) {
            KeySource keys;
            if (rule.jwks().isPresent()) {
                try {
                    keys = KeySource.fixed(JWKSet.parse(rule.jwks().get()));
                } catch (ParseException e) {
                    throw new IllegalArgumentException("the inline jwks of issuer " + rule.issuer() + " cannot be read: "
                            + e.getMessage());
                }
            } else {
                JwksSource source = sources.forIssuer(rule.issuer(), rule.jwksUri(), rule.timeout());
                fetched.put(rule.issuer(), source);
                keys = source;
            }
            validation.add(new dev.aimesh.identity.jwt.JwtRule(rule.issuer(), rule.audiences(), keys));
        }
        return new RequestAuthenticator(List.copyOf(byIssuer.values()), fetched, new JwtValidator(validation, clock),
                Set.copyOf(identityHeaders));
    }

    public Result authenticate(RequestHead request) {
        if (validator == null) {
            return new Result.Anonymous();
        }
        Optional<Found> found = find(request);
        for (String header : identityHeaders) {
            request.remove(header);
        } // Istio does the same (istio/istio#53212)
        if (found.isEmpty()) {
            return new Result.Anonymous();
        }
        String token = found.get().token();
        switch (validator.validate(token)) {
            case JwtDecision.Invalid invalid -> {
                if (invalid.reason().startsWith("key id ")) {
                    fetched.values().forEach(JwksSource::unknownKeyId); // keys may have rotated at the issuer
                }
                return new Result.Refused(explain(invalid.reason()));
            }
            case JwtDecision.Valid valid -> {
                JwtRule rule = rules.stream().filter(r -> r.issuer().equals(valid.issuer())).findFirst().orElseThrow();
                if (!rule.forwardOriginalToken() && found.get().header() != null) {
                    request.remove(found.get().header());
                }
                rule.outputPayloadToHeader().ifPresent(h -> request.set(h, token.split("\\.", 3)[1]));
                for (RequestAuthentication.ClaimToHeader c : rule.outputClaimToHeaders()) {
                    claimHeaderValue(valid.claims().get(c.claim())).ifPresent(v -> request.set(c.header(), v));
                }
                return new Result.Authenticated(new AuthzRequest.Token(valid.issuer(), valid.subject().orElse(""),
                        valid.audiences(), valid.presenter().orElse(""), valid.claims()));
            }
        }
    }

    /**
     * A claim as a header value: a string, number or boolean as it is; a list of them joined with commas (as
     * Envoy does); anything else (an object, a list holding one, a value with a control character) leaves the
     * header absent.
     */
    public static Optional<String> claimHeaderValue(Object claim) {
        String value;
        if (scalar(claim)) {
            value = claim.toString();
        } else if (claim instanceof Collection<?> items && !items.isEmpty() && items.stream().allMatch(RequestAuthenticator::scalar)) {
            value = String.join(",", items.stream().map(Object::toString).toList());
        } else {
            return Optional.empty();
        }
        return value.chars().allMatch(c -> c >= 0x20 && c != 0x7f) ? Optional.of(value) : Optional.empty();
    }

    private static boolean scalar(Object value) {
        return value instanceof String || value instanceof Number || value instanceof Boolean;
    }

    /** A token, and the header it came in (null when from a parameter or cookie). */
    private record Found(String token, String header) {}

    private Optional<Found> find(RequestHead request) {
        for (JwtRule rule : rules) {
            if (rule.defaultLocations()) {
                String auth = request.get(HttpHeaderNames.AUTHORIZATION);
                if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
                    return Optional.of(new Found(auth.substring(7).strip(), HttpHeaderNames.AUTHORIZATION.toString()));
                }
                Optional<String> param = param(request, "access_token");
                if (param.isPresent()) {
                    return Optional.of(new Found(param.get(), null));
                }
                continue;
            }
            for (RequestAuthentication.HeaderLocation h : rule.fromHeaders()) {
                String value = request.get(h.name());
                if (value != null && value.startsWith(h.prefix())) {
                    return Optional.of(new Found(value.substring(h.prefix().length()).strip(), h.name()));
                }
            }
            for (String name : rule.fromParams()) {
                Optional<String> param = param(request, name);
                if (param.isPresent()) {
                    return Optional.of(new Found(param.get(), null));
                }
            }
            String cookies = request.get(HttpHeaderNames.COOKIE);
            if (cookies != null && !rule.fromCookies().isEmpty()) {
                for (var cookie : ServerCookieDecoder.STRICT.decode(cookies)) {
                    if (rule.fromCookies().contains(cookie.name())) {
                        return Optional.of(new Found(cookie.value(), null));
                    }
                }
            }
        }
        return Optional.empty();
    }

    private static Optional<String> param(RequestHead request, String name) {
        if (request.path().indexOf('?') < 0) {
            return Optional.empty();
        }
        List<String> values = new QueryStringDecoder(request.path()).parameters().get(name);
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }

    /** A refusal for want of keys says why the keys are missing. */
    private String explain(String reason) {
        for (var e : fetched.entrySet()) {
            if (reason.contains("issuer " + e.getKey() + " has no keys") && e.getValue().current() == null) {
                return reason + " (" + e.getValue().problem() + ")";
            }
        }
        return reason;
    }
}
