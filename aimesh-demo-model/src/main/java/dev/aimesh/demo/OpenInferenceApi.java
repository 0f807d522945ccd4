package dev.aimesh.demo;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import dev.aimesh.demo.OpenInferenceJson.InferResponse;
import dev.aimesh.demo.OpenInferenceJson.ModelMetadata;
import dev.aimesh.demo.OpenInferenceJson.Tensor;
import dev.aimesh.demo.OpenInferenceJson.TensorMetadata;

/**
 * The Open Inference Protocol (KServe v2) endpoints: health, server and model metadata, and infer. Infer takes one
 * BYTES tensor of texts and answers a {@code label} tensor (BYTES, {@code [n]}) and a {@code probabilities} tensor
 * (FP32, {@code [n, labels]}, labels in the order its {@code labels} parameter lists).
 */
final class OpenInferenceApi {
    static final String PLATFORM = "aimesh_naive_bayes";
    private static final String SERVER_NAME = "aimesh-demo-model";

    private final SentimentModel model;

    OpenInferenceApi(SentimentModel model) {
        this.model = requireNonNull(model, "model");
    }

    void addRoutes(Router router) {
        String version = Optional.ofNullable(OpenInferenceApi.class.getPackage().getImplementationVersion()).orElse("development");
        router.add("GET", "/v2", request -> Response.ok(new OpenInferenceJson.ServerMetadata(SERVER_NAME, version, List.of())));
        router.add("GET", "/v2/health/live", request -> Response.ok(Map.of("live", true)));
        router.add("GET", "/v2/health/ready", request -> Response.ok(Map.of("ready", true)));
        for (String base : List.of("/v2/models/{name}", "/v2/models/{name}/versions/{version}")) {
            router.add("GET", base, request -> served(request).orElseGet(this::metadata));
            router.add("GET", base + "/ready", request -> served(request)
                    .orElseGet(() -> Response.ok(new OpenInferenceJson.ModelReady(model.name(), true))));
            router.add("POST", base + "/infer", request -> served(request).orElseGet(() -> infer(request)));
        }
    }

    /** Empty when the path names the served model (and version, if it names one); else the 404 to answer. */
    private Optional<Response> served(ApiRequest request) {
        String name = request.variable("name");
        String version = request.variable("version");
        if (name.equals(model.name()) && (version == null || version.equals(model.version()))) {
            return Optional.empty();
        }
        String asked = version == null ? "model " + name : "model " + name + " version " + version;
        return Optional.of(Response.inferenceError(404, asked + " is not served here (serving " + model.name()
                + " version " + model.version() + ")"));
    }

    private Response metadata() {
        long labels = model.labels().size();
        return Response.ok(new ModelMetadata(model.name(), List.of(model.version()), PLATFORM,
                List.of(new TensorMetadata("text", "BYTES", List.of(-1L))),
                List.of(new TensorMetadata(InferRequest.LABEL_OUTPUT, "BYTES", List.of(-1L)),
                        new TensorMetadata(InferRequest.PROBABILITIES_OUTPUT, "FP32", List.of(-1L, labels)))));
    }

    private Response infer(ApiRequest request) {
        InferRequest infer = InferRequest.parse(request.json());
        List<Classification> results = infer.texts().stream().map(model::classify).toList();
        long rows = results.size();
        List<Tensor> outputs = new ArrayList<>();
        for (String output : infer.outputs()) {
            outputs.add(switch (output) {
                case InferRequest.LABEL_OUTPUT -> new Tensor(output, "BYTES", List.of(rows), Map.of(),
                        results.stream().map(Classification::label).toList());
                case InferRequest.PROBABILITIES_OUTPUT -> new Tensor(output, "FP32", List.of(rows, (long) model.labels().size()),
                        Map.of("labels", String.join(",", model.labels())),
                        results.stream().flatMap(r -> r.probabilities().values().stream()).map(Double::floatValue).toList());
                default -> throw new IllegalStateException("InferRequest admits no output " + output);
            });
        }
        return Response.ok(new InferResponse(model.name(), model.version(), infer.id().orElse(null), outputs));
    }
}
