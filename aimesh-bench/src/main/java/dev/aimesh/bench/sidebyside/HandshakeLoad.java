package dev.aimesh.bench.sidebyside;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Full mutual-TLS handshakes, a new session each time, with {@code openssl s_time} presenting a client
 * certificate: the cost a proxy pays per new connection from another proxy. s_time has no option for the key
 * exchange group: the pinning OpenSSL configuration ({@link TlsPins#opensslConf}) makes it offer P-256 only, as
 * every A does, so no handshake needs a HelloRetryRequest. That B accepted this certificate is shown by
 * {@link TlsProbe}, which sends a request with it.
 */
public final class HandshakeLoad {
    private static final Pattern COUNT = Pattern.compile("(\\d+) connections in (\\d+) real seconds");

    private final String cpus;

    public HandshakeLoad(String cpus) {
        this.cpus = cpus;
    }

    /** Returns the handshakes completed and the wall time they took. */
    public Result run(int port, PemFiles client, Path opensslConf, Duration duration) {
        String out = Launched.run(List.of("env", "OPENSSL_CONF=" + opensslConf, "taskset", "-c", cpus, "openssl", "s_time", "-connect",
                "127.0.0.1:" + port, "-new", "-cert", path(client.cert()), "-key", path(client.key()), "-CAfile", path(client.bundle()),
                "-time", Long.toString(duration.toSeconds())), duration.plusSeconds(60));
        return parse(out);
    }

    static Result parse(String out) {
        Matcher m = COUNT.matcher(out);
        if (!m.find()) {
            throw new IllegalStateException("openssl s_time printed no handshake count:\n" + out);
        }
        return new Result(Long.parseLong(m.group(1)), Double.parseDouble(m.group(2)));
    }

    private static String path(Path p) {
        return p.toAbsolutePath().toString();
    }

    public record Result(long handshakes, double seconds) {}
}
