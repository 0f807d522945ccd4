package dev.aimesh.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The real command, as a separate process on this JVM's classpath. */
class DemoModelMainIT {
    private static List<String> command(String... args) {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-cp", System.getProperty("java.class.path"), DemoModelMain.class.getName()));
        command.addAll(List.of(args));
        return command;
    }

    @Test
    void printsWhereItServesThenServesUntilKilled() throws Exception {
        Process process = new ProcessBuilder(command("--listen", "127.0.0.1:0", "--model", "demo-x"))
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            String line = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)).readLine();
            Matcher m = Pattern.compile("demo model demo-x serving on (http://127\\.0\\.0\\.1:(\\d+))").matcher(String.valueOf(line));
            assertThat(m.matches()).as(line).isTrue();
            assertThat(Integer.parseInt(m.group(2))).isPositive();
            HttpResponse<String> models = client.send(HttpRequest.newBuilder(URI.create(m.group(1) + "/v1/models"))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(models.statusCode()).isEqualTo(200);
            assertThat(models.body()).contains("\"id\":\"demo-x\"");
            assertThat(process.isAlive()).isTrue();
        } finally {
            process.destroy();
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void wrongUsageExitsWith2AndSaysWhy() throws Exception {
        Process process = new ProcessBuilder(command("--listen", "nowhere")).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isEqualTo(2);
        assertThat(output).contains("--listen: nowhere (expected: HOST:PORT").contains("Usage:");
    }
}
