package dev.aimesh.core.authz;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import dev.aimesh.core.ai.AiOperation;

/**
 * A key of a {@code when} condition: Istio's ({@code request.headers[x-user]}, {@code source.ip},
 * {@code request.auth.claims[groups]}, {@code destination.port}, {@code connection.sni}, ...) and aimesh's
 * ({@code request.model}, {@code request.ai.operation}, {@code request.time}). {@link #value} turns one
 * written value into a test, refusing values the key cannot hold.
 */
public final class ConditionKey {
    private enum Kind {
        HEADER, SOURCE_IP, REMOTE_IP, SOURCE_NAMESPACE, SOURCE_PRINCIPAL, AUTH_PRINCIPAL, AUTH_AUDIENCES,
        AUTH_PRESENTER, AUTH_CLAIM, DESTINATION_IP, DESTINATION_PORT, SNI, MODEL, AI_OPERATION, TIME
    }

    private static final Map<String, Kind> PLAIN = Map.ofEntries(
            Map.entry("source.ip", Kind.SOURCE_IP), Map.entry("remote.ip", Kind.REMOTE_IP),
            Map.entry("source.namespace", Kind.SOURCE_NAMESPACE), Map.entry("source.principal", Kind.SOURCE_PRINCIPAL),
            Map.entry("request.auth.principal", Kind.AUTH_PRINCIPAL), Map.entry("request.auth.audiences", Kind.AUTH_AUDIENCES),
            Map.entry("request.auth.presenter", Kind.AUTH_PRESENTER), Map.entry("destination.ip", Kind.DESTINATION_IP),
            Map.entry("destination.port", Kind.DESTINATION_PORT), Map.entry("connection.sni", Kind.SNI),
            Map.entry("request.model", Kind.MODEL), Map.entry("request.ai.operation", Kind.AI_OPERATION),
            Map.entry("request.time", Kind.TIME));

    private final String text;
    private final Kind kind;
    private final List<String> argument; // header name (lower case), or the claim's path

    private ConditionKey(String text, Kind kind, List<String> argument) {
        this.text = text;
        this.kind = kind;
        this.argument = argument;
    }

    public static ConditionKey parse(String key) {
        Kind plain = PLAIN.get(key);
        if (plain != null) {
            return new ConditionKey(key, plain, List.of());
        }
        if (key.startsWith("request.headers[") && key.endsWith("]")) {
            String name = key.substring("request.headers[".length(), key.length() - 1);
            if (name.isEmpty() || !name.chars().allMatch(ConditionKey::tokenChar)) {
                throw new IllegalArgumentException("'" + name + "' is not a header name");
            }
            return new ConditionKey(key, Kind.HEADER, List.of(name.toLowerCase(Locale.ROOT)));
        }
        if (key.startsWith("request.auth.claims[") && key.endsWith("]")) {
            String inner = key.substring("request.auth.claims[".length(), key.length() - 1);
            List<String> path = List.of(inner.split("\\]\\[", -1));
            if (path.stream().anyMatch(p -> p.isEmpty() || p.contains("[") || p.contains("]"))) {
                throw new IllegalArgumentException("'" + key + "' is not a claim key (expected: request.auth.claims[name]"
                        + " or, for a nested claim, request.auth.claims[outer][inner])");
            }
            return new ConditionKey(key, Kind.AUTH_CLAIM, path);
        }
        if (key.startsWith("experimental.envoy.filters.")) {
            throw new IllegalArgumentException("'" + key + "' reads Envoy filter metadata, which aimesh does not have");
        }
        throw new IllegalArgumentException("'" + key + "' is not a condition key (known: request.headers[NAME], "
                + String.join(", ", PLAIN.keySet().stream().sorted().toList()) + ", request.auth.claims[NAME])");
    }

    public String text() {
        return text;
    }

    /** Whether the key is {@code request.model}, which may need the request body read. */
    public boolean isModel() {
        return kind == Kind.MODEL;
    }

    /** A test for one written value; an {@link IllegalArgumentException} says why the value cannot be. */
    public RequestTest value(String value) {
        return switch (kind) {
            case SOURCE_IP -> ip(value, AuthzRequest::sourceIp);
            case REMOTE_IP -> ip(value, AuthzRequest::remoteIp);
            case DESTINATION_IP -> ip(value, AuthzRequest::destinationIp);
            case DESTINATION_PORT -> {
                int port = Ports.parse(value);
                yield r -> r.destinationPort() == port;
            }
            case AI_OPERATION -> {
                AiOperation op = AiOperation.of(value).orElseThrow(() -> new IllegalArgumentException(
                        "'" + value + "' is not an AI operation (expected one of: " + AiOperation.keys() + ")"));
                yield r -> r.model().operation().filter(o -> o == op).isPresent();
            }
            case TIME -> {
                TimeWindow window = TimeWindow.parse(value);
                yield r -> window.contains(r.time());
            }
            case HEADER -> string(value, r -> one(r.headers().get(argument.get(0))));
            case SOURCE_NAMESPACE -> string(value, r -> r.sourceNamespace().map(List::of).orElse(List.of()));
            case SOURCE_PRINCIPAL -> string(PrincipalPattern.parse(value), r -> r.principal().map(List::of).orElse(List.of()));
            case AUTH_PRINCIPAL -> string(value, r -> r.token().map(t -> List.of(t.principal())).orElse(List.of()));
            case AUTH_AUDIENCES -> string(value, r -> r.token().map(AuthzRequest.Token::audiences).orElse(List.of()));
            case AUTH_PRESENTER -> string(value, r -> r.token().map(t -> one(t.presenter())).orElse(List.of()));
            case AUTH_CLAIM -> string(value, r -> r.token().map(t -> claim(t.claims(), argument)).orElse(List.of()));
            case SNI -> string(value, r -> one(r.sni()));
            case MODEL -> string(value, r -> r.model().model().map(List::of).orElse(List.of()));
        };
    }

    private static RequestTest ip(String value, Function<AuthzRequest, byte[]> attribute) {
        IpBlock block = IpBlock.parse(value);
        return r -> block.contains(attribute.apply(r));
    }

    private static RequestTest string(String value, Function<AuthzRequest, List<String>> attribute) {
        return string(StringMatch.parse(value), attribute);
    }

    private static RequestTest string(StringMatch match, Function<AuthzRequest, List<String>> attribute) {
        return r -> {
            for (String candidate : attribute.apply(r)) {
                if (match.matches(candidate)) {
                    return true;
                }
            }
            return false;
        };
    }

    private static List<String> one(String value) {
        return value == null || value.isEmpty() ? List.of() : List.of(value);
    }

    /** A claim's values as strings: a list claim gives each item (Istio matches any of them). */
    static List<String> claim(Map<String, Object> claims, List<String> path) {
        Object value = claims;
        for (String name : path) {
            if (!(value instanceof Map<?, ?> map)) {
                return List.of();
            }
            value = map.get(name);
        }
        if (value instanceof Collection<?> items) {
            List<String> out = new ArrayList<>(items.size());
            for (Object item : items) {
                if (item instanceof String || item instanceof Number || item instanceof Boolean) {
                    out.add(item.toString());
                }
            }
            return out;
        }
        return value instanceof String || value instanceof Number || value instanceof Boolean
                ? List.of(value.toString()) : List.of();
    }

    private static boolean tokenChar(int c) {
        return c > 0x20 && c < 0x7f && "()<>@,;:\\\"/[]?={}".indexOf(c) < 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConditionKey k && text.equals(k.text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    @Override
    public String toString() {
        return text;
    }

}
