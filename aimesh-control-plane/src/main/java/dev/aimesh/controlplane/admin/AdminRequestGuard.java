package dev.aimesh.controlplane.admin;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Decides whether a request may reach the admin API at all, before any route runs. A web page the
 * operator has open can send requests to loopback (CSRF) and, through DNS rebinding, read answers under
 * its own host name; a request is therefore refused unless its {@code Host} is this listener's loopback
 * address exactly, it carries no {@code Origin} other than the API's own, a request that may carry a
 * body says {@code Content-Type: application/json} (which a page cannot send cross-origin without a CORS
 * preflight the API never answers), and it presents the admin token as {@code Authorization: Bearer}.
 */
public final class AdminRequestGuard {
    /** Why a request is refused: the status to answer, a machine-readable code and a sentence. */
    public record Refusal(int status, String code, String reason) {}

    /** The parts of a request the guard reads; absent headers are null. */
    public record Request(String method, String path, String host, String origin, String contentType, String authorization) {}

    /** Reachable without the token: a liveness probe that reveals nothing. */
    private static final Set<String> OPEN_PATHS = Set.of("/healthz");

    private final Set<String> hosts;
    private final Set<String> origins;
    private final AdminToken token;

    /** @param bound the listener's address: its own literal (e.g. {@code 127.0.0.2:PORT}) is accepted too */
    public AdminRequestGuard(InetSocketAddress bound, AdminToken token) {
        int port = bound.getPort();
        java.util.TreeSet<String> names = new java.util.TreeSet<>(List.of("127.0.0.1", "localhost", "[::1]"));
        if (bound.getAddress() != null && !bound.getAddress().isAnyLocalAddress()) {
            String literal = bound.getAddress().getHostAddress();
            names.add(bound.getAddress() instanceof java.net.Inet6Address ? "[" + literal.replaceFirst("%.*", "") + "]"
                    : literal);
        }
        this.hosts = names.stream().map(n -> n + ":" + port).collect(java.util.stream.Collectors.toUnmodifiableSet());
        this.origins = names.stream().map(n -> "http://" + n + ":" + port).collect(java.util.stream.Collectors.toUnmodifiableSet());
        this.token = token;
    }

    public Optional<Refusal> check(Request request) {
        if (request.host() == null || !hosts.contains(request.host().toLowerCase(Locale.ROOT))) {
            return refuse(403, "host", "Host '" + shown(request.host()) + "' is not this admin API (expected: one of "
                    + String.join(", ", hosts.stream().sorted().toList()) + ")");
        }
        if (request.origin() != null && !origins.contains(request.origin().toLowerCase(Locale.ROOT))) {
            return refuse(403, "origin", "Origin '" + shown(request.origin()) + "' is not allowed: the admin API serves no"
                    + " web page, so a request from a browser page is refused");
        }
        boolean mayHaveBody = !request.method().equals("GET") && !request.method().equals("HEAD");
        if (mayHaveBody && !isJson(request.contentType())) {
            return refuse(415, "content-type", "Content-Type '" + shown(request.contentType()) + "' (expected: application/json)");
        }
        if (OPEN_PATHS.contains(request.path())) {
            return Optional.empty();
        }
        String authorization = request.authorization();
        if (authorization == null || authorization.isBlank()) {
            return refuse(401, "no-token", "the admin API needs its token (Authorization: Bearer <the content of "
                    + token.file() + ">)");
        }
        if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7) || !token.matches(authorization.substring(7).strip())) {
            return refuse(401, "wrong-token", "the admin token is wrong (the control plane writes a new one to " + token.file()
                    + " on every start)");
        }
        return Optional.empty();
    }

    private static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        int semicolon = contentType.indexOf(';');
        String type = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).strip().toLowerCase(Locale.ROOT);
        return type.equals("application/json");
    }

    /** A header value as it may be shown in a log line: bounded and without control characters. */
    private static String shown(String value) {
        if (value == null) {
            return "";
        }
        String printable = value.replaceAll("[^\\x20-\\x7e]", "?");
        return printable.length() <= 100 ? printable : printable.substring(0, 97) + "...";
    }

    private static Optional<Refusal> refuse(int status, String code, String reason) {
        return Optional.of(new Refusal(status, code, reason));
    }
}
