package dev.aimesh.bench.sidebyside;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Debian's nginx run from a config of ours, in the foreground, one worker, nothing logged per request. */
final class Nginx {
    /** Settings every instance shares: long keep-alive so that no side recycles connections during a run. */
    private static final String HTTP_COMMON = """
            access_log off;
            default_type text/plain;
            keepalive_requests 1000000;
            keepalive_timeout 300s;
            client_body_temp_path %1$s/body;
            proxy_temp_path %1$s/proxy;
            fastcgi_temp_path %1$s/fastcgi;
            uwsgi_temp_path %1$s/uwsgi;
            scgi_temp_path %1$s/scgi;
            """;

    private Nginx() {}

    static Launched start(Workspace ws, String name, String cpus, String httpBlock, int readyPort) {
        return start(ws, name, cpus, httpBlock, readyPort, Map.of());
    }

    static Launched start(Workspace ws, String name, String cpus, String httpBlock, int readyPort, Map<String, String> env) {
        Path dir = ws.subdir(name);
        String conf = """
                daemon off;
                worker_processes 1;
                pid %1$s/nginx.pid;
                error_log %1$s/error.log warn;
                events { worker_connections 16384; }
                http {
                %2$s
                %3$s
                }
                """.formatted(dir, HTTP_COMMON.formatted(dir), httpBlock);
        Path file = ws.file(name + "/nginx.conf", conf);
        Launched nginx = Launched.start(name, cpus, List.of("nginx", "-p", dir.toString(), "-e", dir.resolve("error.log").toString(),
                "-c", file.toString()), env, dir.resolve("stdout.log"));
        nginx.awaitPort(readyPort, Duration.ofSeconds(10));
        return nginx;
    }

    /**
     * The upstream: {@code /2b} and {@code /1k} answer 200 with bodies of that size; {@code /xfcc} echoes the
     * x-forwarded-client-cert header it got (the TLS probe shows what each B adds); {@code /sse/} streams from
     * {@link SseUpstream} unbuffered. h2c on a port of its own.
     */
    static Launched upstream(Workspace ws, int port, int h2cPort, int ssePort) {
        return start(ws, "upstream", ws.loadCpus(), """
                upstream sse { server 127.0.0.1:%d; keepalive 256; }
                server {
                    listen 127.0.0.1:%d backlog=4096;
                    listen 127.0.0.1:%d http2 backlog=4096;
                    location = /2b { return 200 "ok"; }
                    location = /1k { return 200 "%s"; }
                    location = /xfcc { return 200 "$http_x_forwarded_client_cert\\n"; }
                    location /sse/ { proxy_pass http://sse; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_buffering off; }
                }
                """.formatted(ssePort, port, h2cPort, "x".repeat(1024)), port);
    }
}
