package dev.aimesh.bench.sidebyside;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The same sidecar pair built from nginx: A takes plain HTTP/1.1 (or h2c on a second port) and proxies
 * over keep-alive mTLS (HTTP/1.1: nginx cannot speak HTTP/2 upstream) to B, which requires and verifies
 * the client certificate and proxies to the upstream. A does not check B's name: nginx matches only DNS
 * and IP names, and SVIDs carry a URI.
 */
final class NginxPair implements SystemUnderTest {
    private static final Pattern STUB = Pattern.compile("\\s*(\\d+)\\s+(\\d+)\\s+(\\d+)\\s*\\nReading");

    private final Launched a;
    private final Launched b;
    private final int aPort;
    private final int aH2cPort;
    private final int bPort;
    private final int statusPort;

    NginxPair(Workspace ws, int upstreamPort, PemFiles client, PemFiles server) {
        aPort = Workspace.freePort();
        aH2cPort = Workspace.freePort();
        bPort = Workspace.freePort();
        statusPort = Workspace.freePort();
        b = Nginx.start(ws, "nginx-b", ws.proxyCpus(), """
                upstream model { server 127.0.0.1:%d; keepalive 256; keepalive_requests 1000000; keepalive_timeout 300s; }
                server {
                    listen 127.0.0.1:%d ssl backlog=4096;
                    ssl_certificate %s;
                    ssl_certificate_key %s;
                    ssl_client_certificate %s;
                    ssl_verify_client on;
                    ssl_verify_depth 3;
                    ssl_protocols TLSv1.3;
                    location / { proxy_pass http://model; proxy_http_version 1.1; proxy_set_header Connection ""; }
                }
                server {
                    listen 127.0.0.1:%d;
                    location = /status { stub_status; }
                }
                """.formatted(upstreamPort, bPort, server.cert(), server.key(), server.bundle(), statusPort), bPort);
        try {
            a = Nginx.start(ws, "nginx-a", ws.proxyCpus(), """
                    upstream b { server 127.0.0.1:%d; keepalive 256; keepalive_requests 1000000; keepalive_timeout 300s; }
                    server {
                        listen 127.0.0.1:%d backlog=4096;
                        listen 127.0.0.1:%d http2 backlog=4096;
                        location / {
                            proxy_pass https://b;
                            proxy_http_version 1.1;
                            proxy_set_header Connection "";
                            proxy_ssl_certificate %s;
                            proxy_ssl_certificate_key %s;
                            proxy_ssl_trusted_certificate %s;
                            proxy_ssl_protocols TLSv1.3;
                            proxy_ssl_session_reuse on;
                            proxy_ssl_verify off;
                        }
                    }
                    """.formatted(bPort, aPort, aH2cPort, client.cert(), client.key(), client.bundle()), aPort);
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
