package dev.aimesh.proxy.agent;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aimesh.core.identity.SpiffeId;
import dev.aimesh.core.registry.ConfigSnapshot;
import dev.aimesh.core.registry.WorkloadEntry;
import dev.aimesh.core.resource.ConfigLoader;

/**
 * The on-disk form of the last good snapshot: JSON an operator can read, with a format number so that a
 * file written by another version of aimesh is refused rather than misread. It holds the merged, full
 * snapshot the proxy applied, never a wire message, so a change to the config stream does not change it.
 */
public final class SnapshotFile {
    /** Raise on any change of the layout below; a file of another format is refused. */
    public static final int FORMAT = 1;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The workload the proxy serves ({@code namespace/name}) and the snapshot it enforced. */
    public record Contents(String workload, ConfigSnapshot snapshot) {}

    private SnapshotFile() {}

    public static String encode(Contents contents) {
        ObjectNode root = JSON.createObjectNode().put("format", FORMAT).put("workload", contents.workload());
        ConfigSnapshot snapshot = contents.snapshot();
        ObjectNode body = root.putObject("snapshot").put("version", snapshot.version());
        ArrayNode workloads = body.putArray("workloads");
        for (WorkloadEntry w : snapshot.workloads()) {
            ObjectNode entry = workloads.addObject().put("namespace", w.namespace()).put("name", w.name())
                    .put("spiffeId", w.spiffeId().toString());
            ObjectNode labels = entry.putObject("labels");
            w.labels().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(l -> labels.put(l.getKey(), l.getValue()));
            ArrayNode endpoints = entry.putArray("endpoints");
            w.endpoints().forEach(endpoints::add);
        }
        ArrayNode sources = body.putArray("configFiles");
        for (ConfigLoader.SourceFile file : snapshot.sources()) {
            sources.addObject().put("name", file.name()).put("text", file.text());
        }
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode snapshot " + snapshot.version(), e);
        }
    }

    /** Reads a file written by {@link #encode}; the exception's message says what is wrong with it. */
    public static Contents decode(String text) {
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not valid JSON (" + e.getOriginalMessage() + ")", e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("not a snapshot file (expected: a JSON object)");
        }
        int format = root.path("format").asInt(-1);
        if (format != FORMAT) {
            throw new IllegalArgumentException("format " + root.path("format") + " (expected: " + FORMAT
                    + "); written by another version of aimesh");
        }
        JsonNode body = root.required("snapshot");
        List<WorkloadEntry> workloads = new ArrayList<>();
        for (JsonNode w : array(body, "workloads")) {
            Map<String, String> labels = new LinkedHashMap<>();
            w.required("labels").properties().forEach(l -> labels.put(l.getKey(), string(l.getValue(), "labels." + l.getKey())));
            List<String> endpoints = new ArrayList<>();
            array(w, "endpoints").forEach(e -> endpoints.add(string(e, "endpoints")));
            workloads.add(new WorkloadEntry(text(w, "namespace"), text(w, "name"), SpiffeId.parse(text(w, "spiffeId")),
                    labels, endpoints));
        }
        List<ConfigLoader.SourceFile> sources = new ArrayList<>();
        for (JsonNode file : array(body, "configFiles")) {
            sources.add(new ConfigLoader.SourceFile(text(file, "name"), text(file, "text")));
        }
        return new Contents(text(root, "workload"), new ConfigSnapshot(text(body, "version"), workloads, sources));
    }

    private static JsonNode array(JsonNode parent, String field) {
        JsonNode node = parent.required(field);
        if (!node.isArray()) {
            throw new IllegalArgumentException(field + ": " + node.getNodeType() + " (expected: an array)");
        }
        return node;
    }

    private static String text(JsonNode parent, String field) {
        return string(parent.required(field), field);
    }

    private static String string(JsonNode node, String field) {
        if (!node.isTextual()) {
            throw new IllegalArgumentException(field + ": " + node.getNodeType() + " (expected: a string)");
        }
        return node.textValue();
    }
}
