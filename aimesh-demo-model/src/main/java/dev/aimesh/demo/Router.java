package dev.aimesh.demo;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Finds the route for a method and a path among patterns such as {@code /v2/models/{name}/infer}, where a
 * {@code {variable}} matches one whole path segment. A path that matches only under other methods is a 405.
 */
final class Router {
    /** A route's handler. */
    @FunctionalInterface
    interface Route {
        Response handle(ApiRequest request);
    }

    /** The routing decision. */
    sealed interface Match {
        record Found(Route route, Map<String, String> variables) implements Match {}

        record WrongMethod(Set<String> allowed) implements Match {}

        record NotFound() implements Match {}
    }

    private record Entry(String method, List<String> segments, Route route) {}

    private final List<Entry> entries = new ArrayList<>();

    Router add(String method, String pattern, Route route) {
        requireNonNull(method, "method");
        requireNonNull(route, "route");
        if (!pattern.startsWith("/")) {
            throw new IllegalArgumentException("pattern: " + pattern + " (expected: starting with /)");
        }
        entries.add(new Entry(method, segments(pattern), route));
        return this;
    }

    Match match(String method, String path) {
        requireNonNull(method, "method");
        if (!requireNonNull(path, "path").startsWith("/")) {
            return new Match.NotFound();
        }
        List<String> segments = segments(path);
        Set<String> allowed = new TreeSet<>();
        for (Entry entry : entries) {
            Optional<Map<String, String>> variables = variables(entry.segments(), segments);
            if (variables.isPresent()) {
                if (entry.method().equals(method)) {
                    return new Match.Found(entry.route(), variables.get());
                }
                allowed.add(entry.method());
            }
        }
        return allowed.isEmpty() ? new Match.NotFound() : new Match.WrongMethod(allowed);
    }

    private static Optional<Map<String, String>> variables(List<String> pattern, List<String> path) {
        if (pattern.size() != path.size()) {
            return Optional.empty();
        }
        Map<String, String> variables = new HashMap<>();
        for (int i = 0; i < pattern.size(); i++) {
            String expected = pattern.get(i);
            if (expected.startsWith("{") && expected.endsWith("}")) {
                if (path.get(i).isEmpty()) {
                    return Optional.empty();
                }
                variables.put(expected.substring(1, expected.length() - 1), path.get(i));
            } else if (!expected.equals(path.get(i))) {
                return Optional.empty();
            }
        }
        return Optional.of(variables);
    }

    private static List<String> segments(String path) {
        return List.of(path.substring(1).split("/", -1));
    }
}
