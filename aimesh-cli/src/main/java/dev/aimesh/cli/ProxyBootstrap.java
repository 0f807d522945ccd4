package dev.aimesh.cli;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What {@code aimesh proxy} asks the control plane's admin API when its command line does not say it: the gRPC
 * address, and the listeners of its Workload resource. One plain-text request ({@code GET /v1/proxy-bootstrap})
 * over the JDK's {@code HttpURLConnection}, so that a proxy loads neither a JSON parser nor {@code java.net.http}
 * for it: a sidecar keeps what it loads for as long as it runs.
 *
 * <p>The text: a line {@code grpc HOST:PORT}, then one line per workload, {@code workload NAMESPACE/NAME} followed
 * by the pairs its resource declares, of {@code inbound-port N}, {@code upstream HOST:PORT}, {@code protocol
 * http|h2c} and {@code outbound-port N}.
 */
record ProxyBootstrap(InetSocketAddress grpc, List<Listeners> workloads) {
    static final String PATH = "/v1/proxy-bootstrap";

    /** A workload's listeners as its resource declares them: its name and the pairs of its line. */
    record Listeners(String namespace, String name, Map<String, String> fields) {
        boolean matches(String workload) {
            return workload.equals(name) || workload.equals(namespace + "/" + name);
        }

        Optional<String> field(String key) {
            return Optional.ofNullable(fields.get(key));
        }
    }

    Optional<Listeners> workload(String workload) {
        return workloads.stream().filter(w -> w.matches(workload)).findFirst();
    }

    static ProxyBootstrap fetch(String adminUrl, Path tokenFile) {
        URI base = AdminAccess.base(adminUrl);
        try {
            HttpURLConnection http = (HttpURLConnection) base.resolve(PATH).toURL().openConnection();
            http.setConnectTimeout(3000);
            http.setReadTimeout(30_000);
            if (tokenFile != null) {
                http.setRequestProperty("Authorization", "Bearer " + AdminAccess.token(tokenFile));
            }
            int status = http.getResponseCode();
            String body = read(status >= 400 ? http.getErrorStream() : http.getInputStream());
            if (status >= 400) {
                throw AdminAccess.refused(status, body, tokenFile);
            }
            return parse(body);
        } catch (IOException e) {
            throw AdminAccess.unreachable(base, e);
        }
    }

    private static String read(InputStream in) throws IOException {
        if (in == null) {
            return "";
        }
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static ProxyBootstrap parse(String text) {
        InetSocketAddress grpc = null;
        List<Listeners> workloads = new ArrayList<>();
        for (String line : text.split("\n")) {
            String[] words = line.strip().split(" +");
            if (words.length == 2 && words[0].equals("grpc")) {
                grpc = HostPort.parse(words[1]);
            } else if (words.length >= 2 && words[0].equals("workload") && words.length % 2 == 0 && words[1].contains("/")) {
                Map<String, String> fields = new HashMap<>();
                for (int i = 2; i < words.length; i += 2) {
                    fields.put(words[i], words[i + 1]);
                }
                int slash = words[1].indexOf('/');
                workloads.add(new Listeners(words[1].substring(0, slash), words[1].substring(slash + 1), Map.copyOf(fields)));
            }
        }
        if (grpc == null) {
            throw new CliException(ExitCodes.FAILED, "the control plane's " + PATH + " names no gRPC address (is it an older version?"
                    + " pass --grpc-address)");
        }
        return new ProxyBootstrap(grpc, List.copyOf(workloads));
    }
}
