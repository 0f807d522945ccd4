package dev.aimesh.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import dev.aimesh.testkit.CliProcess.Result;

/** curl as the end-to-end tests drive it: HTTP/1.1 or HTTP/2 (prior knowledge), the status on the last line. */
public final class Curl {
    private Curl() {}

    /** {@code protocol} is "http1.1" or "h2"; the output ends with {@code status=<code>}. */
    public static Result run(String protocol, String url, String... args) {
        List<String> command = new ArrayList<>(List.of("curl", "-sS", "--max-time", "20",
                protocol.equals("h2") ? "--http2-prior-knowledge" : "--http1.1", "-w", "\nstatus=%{http_code}"));
        command.addAll(List.of(args));
        command.add(url);
        return CliProcess.run(command, Map.of(), Duration.ofSeconds(30));
    }

    public static void assertStatus(Result r, int status) {
        assertThat(r.exit()).as(r::toString).isZero();
        assertThat(r.out()).as(r::toString).contains("status=" + status);
    }
}
