package dev.aimesh.bench.sidebyside;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.LockSupport;

/**
 * The streaming upstream, a process of its own: {@code GET /sse/BYTES?chunks=N&interval=MS} answers a
 * {@code text/event-stream} of N events totalling about BYTES, one every MS milliseconds (on a fixed schedule from
 * the first, so a late write does not delay the rest), each flushed as its own chunk. Every event carries its
 * sequence number and the {@link System#nanoTime()} at which it was written: on Linux that clock is the machine's
 * monotonic clock, shared by every process, so the client can tell each chunk's delay on the way.
 *
 * <p>Event: {@code data: SEQ NANOS PADDING\n\n}. Usage: {@code SseUpstream PORT} (0 picks one); prints
 * {@code listening on PORT}.
 */
public final class SseUpstream {
    private SseUpstream() {}

    public static void main(String[] args) throws IOException {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 0;
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 4096);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/sse/", SseUpstream::stream);
        server.start();
        System.out.println("listening on " + server.getAddress().getPort());
        System.out.flush();
    }

    private static void stream(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            long bytes = Long.parseLong(path.substring("/sse/".length()));
            int chunks = Integer.parseInt(query(exchange, "chunks", "100"));
            long intervalNanos = Long.parseLong(query(exchange, "interval", "30")) * 1_000_000L;
            exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
            exchange.getResponseHeaders().set("Cache-Control", "no-cache");
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            int padding = (int) Math.max(0, bytes / chunks - 40);
            byte[] pad = new byte[padding];
            Arrays.fill(pad, (byte) 'x');
            long start = System.nanoTime();
            for (int seq = 0; seq < chunks; seq++) {
                long due = start + seq * intervalNanos;
                for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
                    LockSupport.parkNanos(wait);
                }
                out.write(("data: " + seq + " " + System.nanoTime() + " ").getBytes(StandardCharsets.US_ASCII));
                out.write(pad);
                out.write("\n\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
        }
    }

    private static String query(HttpExchange exchange, String name, String fallback) {
        String q = exchange.getRequestURI().getQuery();
        if (q != null) {
            for (String pair : q.split("&")) {
                if (pair.startsWith(name + "=")) {
                    return pair.substring(name.length() + 1);
                }
            }
        }
        return fallback;
    }
}
