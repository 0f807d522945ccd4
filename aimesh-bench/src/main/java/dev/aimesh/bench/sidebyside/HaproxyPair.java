package dev.aimesh.bench.sidebyside;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The same sidecar pair built from haproxy, one thread each: A takes HTTP/1.1 or h2c (detected) and speaks
 * HTTP/2 over mTLS to B, as aimesh does, verifying B's chain and DNS name ({@code verifyhost}, SNI
 * {@link PeerCa#B_NAME}); B requires and verifies the client certificate, adds an x-forwarded-client-cert header
 * as aimesh's B does, and proxies to the upstream.
 */
final class HaproxyPair implements SystemUnderTest {
    private static final String COMMON = """
            global
                nbthread 1
                maxconn 8000
                tune.ssl.default-dh-param 2048
                ssl-default-bind-ciphersuites %1$s
                ssl-default-server-ciphersuites %1$s
                ssl-default-bind-curves %2$s
            defaults
                mode http
                timeout connect 5s
                timeout client 300s
                timeout server 300s
                timeout http-keep-alive 300s
                http-reuse always
            """.formatted(TlsPins.CIPHER, TlsPins.GROUP);

    private final Launched a;
    private final Launched b;
    private final PemFiles client;
    private final int aPort;
    private final int bPort;
    private final int statsPort;

    HaproxyPair(Workspace ws, int upstreamPort, PemFiles client, PemFiles server, Path opensslConf) {
        this.client = client;
        aPort = Workspace.freePort();
        bPort = Workspace.freePort();
        statsPort = Workspace.freePort();
        // haproxy 2.6 cannot set its servers' curves: A's group comes from the pinning OpenSSL configuration.
        Map<String, String> env = Map.of("OPENSSL_CONF", opensslConf.toString());
        try {
            b = start(ws, "haproxy-b", COMMON + """
                    frontend mesh_in
                        bind 127.0.0.1:%d ssl crt %s ca-file %s verify required alpn h2,http/1.1 ssl-min-ver TLSv1.3 curves %s
                        http-request set-header X-Forwarded-Client-Cert "Hash=%%[ssl_c_der,digest(sha256),hex];Subject=\\"%%[ssl_c_s_dn]\\""
                        default_backend model
                    backend model
                        server model 127.0.0.1:%d
                    frontend stats
                        bind 127.0.0.1:%d
                        stats enable
                        stats uri /stats
                    """.formatted(bPort, server.combined(), server.bundle(), TlsPins.GROUP, upstreamPort, statsPort), bPort, env);
            try {
                a = start(ws, "haproxy-a", COMMON + """
                        frontend app_out
                            bind 127.0.0.1:%d
                            default_backend mesh_out
                            # A response that came over HTTP/2 has no reason phrase; h2load's HTTP/1.1 parser
                            # counts "HTTP/1.1 200 " as a failure, so give it the standard one.
                            http-response set-status 200 reason OK if { status 200 }
                        backend mesh_out
                            server b 127.0.0.1:%d ssl crt %s ca-file %s verify required sni str(%s) verifyhost %s alpn h2 ssl-min-ver TLSv1.3
                        """.formatted(aPort, bPort, client.combined(), client.bundle(), PeerCa.B_NAME, PeerCa.B_NAME), aPort, env);
            } catch (RuntimeException e) {
                b.close();
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Launched start(Workspace ws, String name, String config, int port, Map<String, String> env) {
        Path dir = ws.subdir(name);
        Path file = ws.file(name + "/haproxy.cfg", config);
        Launched haproxy = Launched.start(name, ws.proxyCpus(), List.of("haproxy", "-db", "-f", file.toString()), env,
                dir.resolve("haproxy.log"));
        haproxy.awaitPort(port, Duration.ofSeconds(10));
        return haproxy;
    }

    @Override
    public String name() {
        return "haproxy";
    }

    @Override
    public H2load.Target target(Protocol protocol, String path) {
        return new H2load.Target("http://127.0.0.1:" + aPort + path, Optional.empty());
    }

    @Override
    public List<Launched> proxies() {
        return List.of(a, b);
    }

    @Override
    public Optional<Integer> mtlsPort() {
        return Optional.of(bPort);
    }

    @Override
    public Optional<PemFiles> mtlsClient() {
        return Optional.of(client);
    }

    @Override
    public Optional<String> serverName() {
        return Optional.of(PeerCa.B_NAME);
    }

    @Override
    public String tlsPinning() {
        return "`ssl-default-bind-ciphersuites` / `ssl-default-server-ciphersuites " + TlsPins.CIPHER + "`, B: `curves " + TlsPins.GROUP
                + "` `ssl-min-ver TLSv1.3`; A: group from `OPENSSL_CONF` (`Groups = " + TlsPins.GROUP + "`), `verify required`, `verifyhost "
                + PeerCa.B_NAME + "`";
    }

    /** B's frontend from the stats CSV: total sessions (connections) and HTTP requests. */
    @Override
    public Optional<ReuseCounts> reuse() {
        String csv = Http.get("http://127.0.0.1:" + statsPort + "/stats;csv", Duration.ofSeconds(5));
        String[] lines = csv.split("\n");
        List<String> header = List.of(lines[0].replaceFirst("^# ", "").split(","));
        int stot = header.indexOf("stot");
        int reqTot = header.indexOf("req_tot");
        for (String line : lines) {
            String[] cols = line.split(",", -1);
            if (cols.length > reqTot && cols[0].equals("mesh_in") && cols[1].equals("FRONTEND")) {
                return Optional.of(new ReuseCounts(Long.parseLong(cols[stot]), Long.parseLong(cols[reqTot])));
            }
        }
        throw new IllegalStateException("no mesh_in frontend in haproxy's stats:\n" + csv);
    }

    @Override
    public void close() {
        a.close();
        b.close();
    }
}
