package dev.aimesh.core.ai;

import java.util.Optional;

/**
 * The model and operation of a request, from its method and normalized path: the OpenAI-style API
 * ({@code /v1/chat/completions}, {@code /v1/completions}, {@code /v1/embeddings}, {@code /v1/models}) and
 * KServe's v2 inference protocol ({@code /v2/models/{name}[/versions/{v}]/infer}, its metadata and
 * readiness routes, and the repository API, which loads and unloads models: admin) and KServe v1's
 * {@code /v1/models/{name}:predict}. An OpenAI request names its model in the JSON body, which
 * {@link BodyModel} reads; when neither says, the model is {@link Knowledge#UNDETERMINED}.
 *
 * <p>A route is recognized as servers that route leniently read it: with trailing slashes, segment parameters
 * ({@code ;x}) and letter case ignored, so {@code /v2/models/m/LOAD/} is the admin call it reaches on such a
 * server and a DENY on {@code admin} applies to it. The model name keeps its case.
 */
public record ModelCall(Optional<AiOperation> operation, Optional<String> model, Optional<String> version, Knowledge knowledge) {
    public static final ModelCall NONE = new ModelCall(Optional.empty(), Optional.empty(), Optional.empty());

    /** Whether the model is known (named, or known to be absent) or could not be determined. */
    public enum Knowledge { KNOWN, UNDETERMINED }

    public ModelCall(Optional<AiOperation> operation, Optional<String> model, Optional<String> version) {
        this(operation, model, version, Knowledge.KNOWN);
    }

    public static ModelCall of(String method, String requestPath) {
        String path = routeOf(requestPath);
        String route = asciiLowerCase(path); // same length as path: names are cut from path at route's indices
        boolean post = method.equals("POST");
        boolean read = method.equals("GET") || method.equals("HEAD");
        switch (route) {
            case "/v1/chat/completions" -> { return post ? op(AiOperation.CHAT) : NONE; }
            case "/v1/completions" -> { return post ? op(AiOperation.COMPLETIONS) : NONE; }
            case "/v1/embeddings" -> { return post ? op(AiOperation.EMBEDDINGS) : NONE; }
            case "/v1/models", "/v2", "/v2/health/live", "/v2/health/ready" -> { return read ? op(AiOperation.METADATA) : NONE; }
            default -> { }
        }
        if (route.startsWith("/v1/models/") && post && route.indexOf(':') > 0) { // KServe v1: /v1/models/NAME:predict
            String name = path.substring("/v1/models/".length(), route.indexOf(':'));
            return new ModelCall(Optional.of(AiOperation.INFER), name.isEmpty() || name.contains("/") ? Optional.empty()
                    : Optional.of(name), Optional.empty());
        }
        if (route.startsWith("/v1/models/") && read) {
            return new ModelCall(Optional.of(AiOperation.METADATA), segment(path, "/v1/models/".length()), Optional.empty());
        }
        if (route.startsWith("/v2/repository/") || route.equals("/v2/repository")) {
            return op(AiOperation.ADMIN);
        }
        if (!route.startsWith("/v2/models/")) {
            return NONE;
        }
        String[] parts = path.substring("/v2/models/".length()).split("/", -1);
        String[] routeParts = route.substring("/v2/models/".length()).split("/", -1);
        Optional<String> model = parts[0].isEmpty() ? Optional.empty() : Optional.of(parts[0]);
        int next = 1;
        Optional<String> version = Optional.empty();
        if (parts.length >= 3 && routeParts[1].equals("versions") && !parts[2].isEmpty()) {
            version = Optional.of(parts[2]);
            next = 3;
        }
        String rest = String.join("/", java.util.Arrays.asList(routeParts).subList(next, routeParts.length));
        Optional<AiOperation> operation = switch (rest) {
            case "infer", "generate", "generate_stream" -> post ? Optional.of(AiOperation.INFER) : Optional.empty();
            case "", "ready", "config", "stats" -> read ? Optional.of(AiOperation.METADATA) : Optional.empty();
            case "load", "unload" -> post ? Optional.of(AiOperation.ADMIN) : Optional.empty();
            default -> Optional.empty();
        };
        return new ModelCall(operation, model, version);
    }

    /** The same call with the model named in the body, when the path named none. */
    public ModelCall withBodyModel(Optional<String> bodyModel) {
        return model.isPresent() || bodyModel.isEmpty() ? this : new ModelCall(operation, bodyModel, version, knowledge);
    }

    /**
     * The same call when the path names no model and the body could not be read for one (not JSON, too
     * large): a policy on {@code request.model} then fails closed.
     */
    public ModelCall undetermined() {
        return model.isPresent() ? this : new ModelCall(operation, model, version, Knowledge.UNDETERMINED);
    }

    public boolean modelUndetermined() {
        return knowledge == Knowledge.UNDETERMINED;
    }

    /** The path without segment parameters ({@code ;x}) and trailing slashes (but "/" stays). */
    static String routeOf(String path) {
        StringBuilder route = null;
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == ';') {
                if (route == null) {
                    route = new StringBuilder(path.length()).append(path, 0, i);
                }
                while (i + 1 < path.length() && path.charAt(i + 1) != '/') {
                    i++;
                }
            } else if (route != null) {
                route.append(c);
            }
        }
        String p = route == null ? path : route.toString();
        int end = p.length();
        while (end > 1 && p.charAt(end - 1) == '/') {
            end--;
        }
        return p.substring(0, end);
    }

    private static String asciiLowerCase(String s) {
        char[] chars = s.toCharArray();
        for (int i = 0; i < chars.length; i++) {
            if (chars[i] >= 'A' && chars[i] <= 'Z') {
                chars[i] += 'a' - 'A';
            }
        }
        return new String(chars);
    }

    private static ModelCall op(AiOperation operation) {
        return new ModelCall(Optional.of(operation), Optional.empty(), Optional.empty());
    }

    private static Optional<String> segment(String path, int start) {
        int end = path.indexOf('/', start);
        String s = end < 0 ? path.substring(start) : path.substring(start, end);
        return s.isEmpty() ? Optional.empty() : Optional.of(s);
    }
}
