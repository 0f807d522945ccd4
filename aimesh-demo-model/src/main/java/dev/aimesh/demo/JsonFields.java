package dev.aimesh.demo;

import java.util.Locale;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * Typed reads of request fields. Each takes the field's value (possibly {@code null} or missing) and its path,
 * and fails with {@code path: what was found (expected: what)}.
 */
final class JsonFields {
    private JsonFields() {}

    static boolean present(JsonNode value) {
        return value != null && !value.isNull() && !value.isMissingNode();
    }

    static String string(JsonNode value, String path) {
        require(value, path);
        if (!value.isTextual()) {
            throw wrongType(value, path, "a string");
        }
        return value.textValue();
    }

    static JsonNode array(JsonNode value, String path) {
        require(value, path);
        if (!value.isArray()) {
            throw wrongType(value, path, "an array");
        }
        return value;
    }

    static JsonNode object(JsonNode value, String path) {
        require(value, path);
        if (!value.isObject()) {
            throw wrongType(value, path, "an object");
        }
        return value;
    }

    static boolean bool(JsonNode value, String path) {
        require(value, path);
        if (!value.isBoolean()) {
            throw wrongType(value, path, "true or false");
        }
        return value.booleanValue();
    }

    static int integer(JsonNode value, String path, int min, int max) {
        require(value, path);
        String expected = "an integer in " + min + ".." + max;
        if (!value.isIntegralNumber()) {
            throw wrongType(value, path, expected);
        }
        if (!value.canConvertToInt() || value.intValue() < min || value.intValue() > max) {
            throw new InvalidRequestException(path + ": " + value + " (expected: " + expected + ")");
        }
        return value.intValue();
    }

    /** How a value reads in an error message. */
    static String describe(JsonNode value) {
        if (!present(value)) {
            return "null";
        }
        return switch (value.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case STRING -> "a string";
            case NUMBER -> "a number (" + value + ")";
            case BOOLEAN -> value.toString();
            default -> value.getNodeType().name().toLowerCase(Locale.ROOT);
        };
    }

    private static void require(JsonNode value, String path) {
        if (!present(value)) {
            throw new InvalidRequestException(path + ": is required");
        }
    }

    private static InvalidRequestException wrongType(JsonNode value, String path, String expected) {
        return new InvalidRequestException(path + ": " + describe(value) + " (expected: " + expected + ")");
    }
}
