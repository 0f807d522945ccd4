package dev.aimesh.bench.jmh;

import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import dev.aimesh.core.dlp.ContentScanner;
import dev.aimesh.core.dlp.Detector;
import dev.aimesh.core.dlp.Findings;

/**
 * P7: how fast the DLP detectors read a chat prompt (JSON, mostly prose, a few findings per kilobyte), by body
 * size, beside one {@code java.util.regex} alternation of the same kinds (no validation: it only finds the
 * candidates the scanner then checks). Bytes per second is the body size over the time per operation.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class ContentScannerBenchmark {
    private static final String PROSE = "Please summarise the following support ticket for the account team and keep it short. "
            + "The customer says the invoice from last month was charged twice and asks for a refund to the original card. "
            + "They were polite but want an answer before Friday; the order was placed through the mobile app in version 4.2.1. ";
    private static final String[] FINDINGS = {"ana.lopez@example.com", "4111 1111 1111 1111", "+44 20 7946 0958", "192.168.10.24",
        "DE89370400440532013000", "123-45-6789", "AKIAIOSFODNN7EXAMPLE", "api_key=Zx81kQp0vLm3TgB7wq9R"};
    /** The same kinds as one alternation, as a gateway built on java.util.regex would write them. */
    private static final Pattern ALTERNATION = Pattern.compile(String.join("|",
            "[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}",
            "\\b(?:\\d[ -]?){12,18}\\d\\b",
            "\\+[1-9]\\d{0,2}(?:[ .-]?\\d{2,4}){2,5}",
            "\\(\\d{3}\\) ?\\d{3}-\\d{4}",
            "\\b\\d{3}-\\d{2}-\\d{4}\\b",
            "\\b[A-Z]{2}\\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\\b",
            "\\b(?:25[0-5]|2[0-4]\\d|1?\\d?\\d)(?:\\.(?:25[0-5]|2[0-4]\\d|1?\\d?\\d)){3}\\b",
            "\\b[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}\\b",
            "-----BEGIN [A-Z ]*PRIVATE KEY-----",
            "\\b(?:AKIA|ASIA)[A-Z0-9]{16}\\b",
            "\\bgh[pousr]_[A-Za-z0-9]{36}\\b",
            "\\bglpat-[A-Za-z0-9_-]{20,}",
            "\\bxox[baprs]-[A-Za-z0-9-]{10,}",
            "\\bsk-(?:ant-)?[A-Za-z0-9_-]{32,}",
            "\\beyJ[A-Za-z0-9_-]+\\.eyJ[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*",
            "(?i)\\b(?:api_?key|token|secret|password)\\b[\"']?\\s*[:=]\\s*[\"']?[A-Za-z0-9+/_.=~-]{16,}"));

    @Param({"1024", "16384", "65536"})
    int size;

    private byte[] body;
    private String text;
    private final ContentScanner scanner = new ContentScanner(EnumSet.allOf(Detector.class));
    private int found;
    private final Findings counter = (detector, start, end) -> found++;

    @Setup
    public void setUp() {
        StringBuilder content = new StringBuilder("{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"");
        int next = 0;
        while (content.length() < size - 40) {
            content.append(PROSE);
            content.append(FINDINGS[next++ % FINDINGS.length]).append(". ");
        }
        content.setLength(size - 4);
        content.append("\"}]}");
        text = content.toString();
        body = text.getBytes(StandardCharsets.UTF_8);
    }

    /** Every detector over the whole body; the count of findings keeps the work from being optimised away. */
    @Benchmark
    public int scanner() {
        found = 0;
        scanner.scan(body, 0, body.length, counter);
        return found;
    }

    /** The alternation over the body decoded as text (what a Java gateway scans), candidates counted. */
    @Benchmark
    public int regexAlternation() {
        Matcher m = ALTERNATION.matcher(new String(body, StandardCharsets.UTF_8));
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }
}
