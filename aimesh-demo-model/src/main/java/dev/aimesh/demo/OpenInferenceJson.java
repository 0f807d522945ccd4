package dev.aimesh.demo;

import java.util.List;
import java.util.Map;
import com.fasterxml.jackson.annotation.JsonInclude;

/** The Open Inference Protocol (KServe v2) bodies as records; {@link Json} writes their names in snake_case. */
final class OpenInferenceJson {
    private OpenInferenceJson() {}

    record ServerMetadata(String name, String version, List<String> extensions) {}

    record ModelMetadata(String name, List<String> versions, String platform, List<TensorMetadata> inputs,
            List<TensorMetadata> outputs) {}

    /** A tensor's description; {@code -1} in a shape is a dimension of any size. */
    record TensorMetadata(String name, String datatype, List<Long> shape) {}

    record ModelReady(String name, boolean ready) {}

    record InferResponse(String modelName, String modelVersion, @JsonInclude(JsonInclude.Include.NON_NULL) String id,
            List<Tensor> outputs) {}

    record Tensor(String name, String datatype, List<Long> shape,
            @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, Object> parameters, List<?> data) {}

    record Error(String error) {}
}
