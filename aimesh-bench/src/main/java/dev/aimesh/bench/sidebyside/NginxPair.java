package dev.aimesh.bench.sidebyside;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The same sidecar pair built from nginx: A takes plain HTTP/1.1 (or h2c on a second port) and proxies over
 * keep-alive mTLS (HTTP/1.1: nginx cannot speak HTTP/2 upstream) to B, verifying B's chain and its DNS name
 * ({@link PeerCa#B_NAME}, sent as SNI); B requires and verifies the client certificate, adds an
 * x-forwarded-client-cert header as aimesh's B does, and proxies to the upstream. Streams ({@code /sse/}) pass
 * unbuffered.
 */
final class NginxPair implements SystemUnderTest {
    private static final Pattern STUB = Pattern.compile("\\s*(\\d+)\\s+(\\d+)\\s+(\\d+)\\s*\\nReading");

    private final Launched a;
    private final Launched b;
    private final PemFiles client;
    private final int aPort;
    private final int aH2cPort;
    private final int bPort;
    private final int statusPort;

    NginxPair(Workspace ws, int upstreamPort, PemFiles client, PemFiles server, Path opensslConf) {
        this.client = client;
        aPort = Workspace.freePort();
        aH2cPort = Workspace.freePort();
        bPort = Workspace.freePort();
        statusPort = Workspace.freePort();
        Map<String, String> env = Map.of("OPENSSL_CONF", opensslConf.toString());
        String toModel = """
                proxy_pass http://model; proxy_http_version 1.1; proxy_set_header Connection "";
                        proxy_set_header X-Forwarded-Client-Cert "Hash=$ssl_client_fingerprint;Subject=\\"$ssl_client_s_dn\\"";""";
        b = Nginx.start(ws, "nginx-b", ws.proxyCpus(), """
                upstream model { server 127.0.0.1:%d; keepalive 256; keepalive_requests 1000000; keepalive_timeout 300s; }
                server {
                    listen 127.0.0.1:%d ssl backlog=4096;
                    server_name %s;
                    ssl_certificate %s;
                    ssl_certificate_key %s;
                    ssl_client_certificate %s;
                    ssl_verify_client on;
                    ssl_verify_depth 3;
                    ssl_protocols %s;
                    ssl_ecdh_curve %s;
                    ssl_conf_command Ciphersuites %s;
                    location / { %s }
                    location /sse/ { %s proxy_buffering off; }
                }
                server {
                    listen 127.0.0.1:%d;
                    location = /status { stub_status; }
                }
                """.formatted(upstreamPort, bPort, PeerCa.B_NAME, server.cert(), server.key(), server.bundle(), TlsPins.PROTOCOL,
                TlsPins.GROUP_NGINX, TlsPins.CIPHER, toModel, toModel, statusPort), bPort, env);
        String toB = """
                proxy_pass https://b;
                        proxy_http_version 1.1;
                        proxy_set_header Connection "";
                        proxy_ssl_certificate %s;
                        proxy_ssl_certificate_key %s;
                        proxy_ssl_trusted_certificate %s;
                        proxy_ssl_protocols %s;
                        proxy_ssl_conf_command Groups %s;
                        proxy_ssl_conf_command Ciphersuites %s;
                        proxy_ssl_session_reuse on;
                        proxy_ssl_verify on;
                        proxy_ssl_verify_depth 3;
                        proxy_ssl_name %s;
                        proxy_ssl_server_name on;""".formatted(client.cert(), client.key(), client.bundle(), TlsPins.PROTOCOL, TlsPins.GROUP,
                TlsPins.CIPHER, PeerCa.B_NAME);
        try {
            a = Nginx.start(ws, "nginx-a", ws.proxyCpus(), """
                    upstream b { server 127.0.0.1:%d; keepalive 256; keepalive_requests 1000000; keepalive_timeout 300s; }
                    server {
                        listen 127.0.0.1:%d backlog=4096;
                        listen 127.0.0.1:%d http2 backlog=4096;
                        location / { %s }
                        location /sse/ { %s proxy_buffering off; }
                    }
                    """.formatted(bPort, aPort, aH2cPort, toB, toB), aPort, env);
        } catch (RuntimeException e) {
            b.close();
            throw e;
        }
    }

    @Override
    public String name() {
        return "nginx";
    }

    @Override
    public H2load.Target target(Protocol protocol, String path) {
        return new H2load.Target("http://127.0.0.1:" + (protocol == Protocol.H2 ? aH2cPort : aPort) + path, Optional.empty());
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
        return "B: `ssl_protocols " + TlsPins.PROTOCOL + "`, `ssl_ecdh_curve " + TlsPins.GROUP_NGINX + "`, `ssl_conf_command Ciphersuites "
                + TlsPins.CIPHER + "`; A: `proxy_ssl_protocols`, `proxy_ssl_conf_command Groups " + TlsPins.GROUP
                + "` and `Ciphersuites`, `proxy_ssl_verify on`, `proxy_ssl_name " + PeerCa.B_NAME + "`";
    }

    /** B's stub_status: accepted connections and requests (the status request itself is noise of one). */
    @Override
    public Optional<ReuseCounts> reuse() {
        String status = Http.get("http://127.0.0.1:" + statusPort + "/status", Duration.ofSeconds(5));
        Matcher m = STUB.matcher(status);
        if (!m.find()) {
            throw new IllegalStateException("unexpected stub_status: " + status);
        }
        return Optional.of(new ReuseCounts(Long.parseLong(m.group(1)), Long.parseLong(m.group(3))));
    }

    @Override
    public void close() {
        a.close();
        b.close();
    }
}
