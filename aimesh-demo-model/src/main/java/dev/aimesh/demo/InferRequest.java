package dev.aimesh.demo;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * A decoded Open Inference Protocol (KServe v2) infer body: exactly one BYTES input tensor holding the texts,
 * flat or nested, and optionally which outputs to return.
 */
public record InferRequest(Optional<String> id, List<String> texts, List<String> outputs) {
    public static final String LABEL_OUTPUT = "label";
    public static final String PROBABILITIES_OUTPUT = "probabilities";
    public static final List<String> ALL_OUTPUTS = List.of(LABEL_OUTPUT, PROBABILITIES_OUTPUT);

    public InferRequest {
        requireNonNull(id, "id");
        texts = List.copyOf(requireNonNull(texts, "texts"));
        outputs = List.copyOf(requireNonNull(outputs, "outputs"));
    }

    public static InferRequest parse(JsonNode body) {
        Optional<String> id = JsonFields.present(body.get("id")) ? Optional.of(JsonFields.string(body.get("id"), "id"))
                : Optional.empty();
        JsonNode inputs = JsonFields.array(body.get("inputs"), "inputs");
        if (inputs.size() != 1) {
            throw new InvalidRequestException("inputs: " + inputs.size() + " tensors (expected: exactly one BYTES tensor of texts)");
        }
        return new InferRequest(id, texts(inputs.get(0), "inputs[0]"), outputs(body.get("outputs")));
    }

    private static List<String> texts(JsonNode tensor, String path) {
        JsonFields.object(tensor, path);
        JsonFields.string(tensor.get("name"), path + ".name");
        String datatype = JsonFields.string(tensor.get("datatype"), path + ".datatype");
        if (!datatype.equals("BYTES")) {
            throw new InvalidRequestException(path + ".datatype: " + datatype + " (expected: BYTES)");
        }
        JsonNode shape = JsonFields.array(tensor.get("shape"), path + ".shape");
        long elements = 1;
        for (int i = 0; i < shape.size(); i++) {
            elements *= JsonFields.integer(shape.get(i), path + ".shape[" + i + "]", 0, Integer.MAX_VALUE);
            if (elements > Integer.MAX_VALUE) {
                throw new InvalidRequestException(path + ".shape: " + shape + " (expected: fewer elements)");
            }
        }
        List<String> texts = new ArrayList<>();
        flatten(JsonFields.array(tensor.get("data"), path + ".data"), path + ".data", texts);
        if (texts.isEmpty()) {
            throw new InvalidRequestException(path + ".data: empty (expected: at least one text)");
        }
        if (texts.size() != elements) {
            throw new InvalidRequestException(path + ".shape: " + shape + " holds " + elements + " elements (expected: "
                    + texts.size() + ", the number of texts in data)");
        }
        return texts;
    }

    private static void flatten(JsonNode array, String path, List<String> into) {
        for (int i = 0; i < array.size(); i++) {
            JsonNode element = array.get(i);
            if (element.isArray()) {
                flatten(element, path + "[" + i + "]", into);
            } else {
                into.add(JsonFields.string(element, path + "[" + i + "]"));
            }
        }
    }

    private static List<String> outputs(JsonNode requested) {
        if (!JsonFields.present(requested)) {
            return ALL_OUTPUTS;
        }
        JsonFields.array(requested, "outputs");
        List<String> names = new ArrayList<>();
        for (int i = 0; i < requested.size(); i++) {
            String path = "outputs[" + i + "]";
            String name = JsonFields.string(JsonFields.object(requested.get(i), path).get("name"), path + ".name");
            if (!ALL_OUTPUTS.contains(name)) {
                throw new InvalidRequestException(path + ".name: " + name + " (expected: one of " + ALL_OUTPUTS + ")");
            }
            names.add(name);
        }
        return names.isEmpty() ? ALL_OUTPUTS : names.stream().distinct().toList();
    }
}
