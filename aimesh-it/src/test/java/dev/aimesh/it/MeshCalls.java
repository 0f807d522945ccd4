package dev.aimesh.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aimesh.proxy.Proxy;
import dev.aimesh.testkit.CliProcess.Result;
import dev.aimesh.testkit.Curl;
import dev.aimesh.testkit.TestMesh;

/** Calls to the model of {@link dev.aimesh.testkit.ModelAndCallers} with curl, and the audit log's entries they made. */
final class MeshCalls {
    private static final ObjectMapper JSON = new ObjectMapper();

    private MeshCalls() {}

    /** A JSON POST of {@code body} through {@code caller}'s outbound proxy to model.models, streamed, with its head. */
    static Result post(Path tmp, Proxy caller, String protocol, String path, String body) {
        try {
            Path file = Files.writeString(tmp.resolve("body-" + System.nanoTime()), body);
            return Curl.run(protocol, "http://127.0.0.1:" + caller.outboundAddress().orElseThrow().getPort() + path, "-N",
                    "-H", "Host: model.models", "-H", "content-type: application/json", "--data-binary", "@" + file, "-D", "-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The text a streamed chat completion said: its events' {@code choices[0].delta.content}, joined. */
    static String streamedText(String events) {
        StringBuilder text = new StringBuilder();
        for (String line : events.split("\n")) {
            if (line.startsWith("data: {\"choices\"")) {
                text.append(line.replaceAll(".*\"content\":\"(.*?)\".*", "$1"));
            }
        }
        return text.toString();
    }

    /** The control plane's audit log entries of {@code type}, in order. */
    static List<JsonNode> audit(TestMesh mesh, String type) {
        try {
            return Files.readAllLines(mesh.cp.auditLog()).stream().map(line -> {
                try {
                    return JSON.readTree(line);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).filter(e -> e.path("type").asText().equals(type)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
