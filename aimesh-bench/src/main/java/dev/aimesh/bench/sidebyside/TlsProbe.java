package dev.aimesh.bench.sidebyside;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One request to B over mTLS with {@code openssl s_client}, offering more than the pins (X25519 first, the other
 * TLS 1.3 ciphers after AES-128-GCM), to show what B negotiates and that it accepted the client certificate (an
 * HTTP answer came back); and one without a certificate, which B must refuse.
 */
final class TlsProbe {
    private static final Pattern TEMP_KEY = Pattern.compile("Server Temp Key: ([^\\n]+)");
    private static final Pattern CIPHER = Pattern.compile("Cipher is (\\S+)");
    private static final Pattern PROTOCOL = Pattern.compile("New, (TLSv[0-9.]+), Cipher is");
    private static final Pattern STATUS = Pattern.compile("HTTP/1\\.1 (\\d{3})");

    private TlsProbe() {}

    /** What one system's B did with the probes. */
    record Result(String protocol, String group, String cipher, String withCertificate, String withoutCertificate, String xfcc) {
        boolean acceptedClientCertificate() {
            return withCertificate.startsWith("2");
        }

        boolean refusedWithoutCertificate() {
            return !withoutCertificate.startsWith("2");
        }
    }

    static Result probe(String cpus, int port, PemFiles client, Optional<String> serverName, String host) {
        String with = sClient(cpus, port, Optional.of(client), client, serverName, host, "/2b");
        String without = sClient(cpus, port, Optional.empty(), client, serverName, host, "/2b");
        String xfcc = sClient(cpus, port, Optional.of(client), client, serverName, host, "/xfcc");
        return parse(with, without, xfcc);
    }

    /** Reads s_client's output of the three probes: with the certificate, without, and of {@code /xfcc}. */
    static Result parse(String with, String without, String xfcc) {
        return new Result(find(PROTOCOL, with), find(TEMP_KEY, with), find(CIPHER, with), status(with), status(without), body(xfcc));
    }

    private static String sClient(String cpus, int port, Optional<PemFiles> cert, PemFiles trust, Optional<String> serverName,
            String host, String path) {
        List<String> cmd = new ArrayList<>(List.of("taskset", "-c", cpus, "openssl", "s_client", "-connect", "127.0.0.1:" + port,
                "-CAfile", trust.bundle().toString(), "-groups", "X25519:" + TlsPins.GROUP, "-ciphersuites",
                TlsPins.CIPHER + ":TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256", "-ign_eof"));
        cert.ifPresent(c -> cmd.addAll(List.of("-cert", c.cert().toString(), "-key", c.key().toString())));
        serverName.ifPresent(n -> cmd.addAll(List.of("-servername", n)));
        String request = "GET " + path + " HTTP/1.1\\r\\nHost: " + host + "\\r\\nConnection: close\\r\\n\\r\\n";
        List<String> shell = List.of("sh", "-c", "printf '" + request + "' | " + String.join(" ", cmd.stream().map(TlsProbe::quote).toList())
                + " 2>&1; true");
        return Launched.run(shell, Duration.ofSeconds(20));
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    private static String status(String out) {
        Matcher m = STATUS.matcher(out);
        if (m.find()) {
            return m.group(1);
        }
        return out.contains("alert") ? "refused (" + alert(out) + ")" : "no answer";
    }

    private static String alert(String out) {
        Matcher m = Pattern.compile("alert ([a-z0-9 ]+)").matcher(out);
        return m.find() ? "alert " + m.group(1).strip() : "alert";
    }

    /** The answer's body: after the blank line that ends the headers, up to the next line. */
    private static String body(String out) {
        int status = out.indexOf("HTTP/1.1 ");
        if (status < 0) {
            return "–";
        }
        int blank = out.indexOf("\r\n\r\n", status);
        if (blank < 0) {
            return "–";
        }
        List<String> lines = out.substring(blank + 4).lines().map(String::strip).toList();
        // A chunked answer starts with the chunk's size in hex.
        int first = !lines.isEmpty() && lines.size() > 1 && lines.get(0).matches("[0-9a-fA-F]+") ? 1 : 0;
        String line = lines.size() > first ? lines.get(first) : "";
        return line.isEmpty() ? "(empty)" : line;
    }

    private static String find(Pattern p, String out) {
        Matcher m = p.matcher(out);
        return m.find() ? m.group(1).strip() : "?";
    }
}
