package dev.aimesh.demo;

import static java.util.Objects.requireNonNull;

import java.util.Map;
import com.fasterxml.jackson.databind.JsonNode;

/** A request as a route sees it: the variables of its matched path pattern and its body, already size-checked. */
record ApiRequest(String method, String path, Map<String, String> pathVariables, byte[] body) {
    ApiRequest {
        requireNonNull(method, "method");
        requireNonNull(path, "path");
        pathVariables = Map.copyOf(requireNonNull(pathVariables, "pathVariables"));
        requireNonNull(body, "body");
    }

    /** The value of {@code {name}} in the matched pattern, if the pattern has it. */
    String variable(String name) {
        return pathVariables.get(name);
    }

    /** The body as a JSON object; anything else is an {@link InvalidRequestException}. */
    JsonNode json() {
        return Json.object(body);
    }
}
