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
                "-c", file.toString()), Map.of(), dir.resolve("stdout.log"));
        nginx.awaitPort(readyPort, Duration.ofSeconds(10));
        return nginx;
    }

    /** The upstream: {@code /2b} and {@code /1k} answer 200 with bodies of that size; h2c on a port of its own. */
    static Launched upstream(Workspace ws, int port, int h2cPort) {
        return start(ws, "upstream", ws.loadCpus(), """
                server {
                    listen 127.0.0.1:%d backlog=4096;
                    listen 127.0.0.1:%d http2 backlog=4096;
                    location = /2b { return 200 "ok"; }
                    location = /1k { return 200 "%s"; }
                }
                """.formatted(port, h2cPort, "x".repeat(1024)), port);
    }
}
