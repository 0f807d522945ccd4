package dev.aimesh.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import dev.aimesh.proxy.Proxy;
import dev.aimesh.proxy.http.ProxyLimits;
import dev.aimesh.testkit.CliProcess;
import dev.aimesh.testkit.CliProcess.Result;
import dev.aimesh.testkit.TestMesh;

/**
 * Two hundred server-sent-event streams at once through the proxy pair, several rounds in a row, on one event
 * loop per proxy (as the benchmark runs them): every stream must arrive whole, in every round. The model keeps
 * its connections alive, so from the second round on the model's proxy reuses pooled connections; one that an
 * exchange had paused for a slow reader came back paused, and the next stream on it never got its answer.
 */
class ConcurrentStreamsIT {
    private static final int STREAMS = 200;
    private static final int EVENTS = 50;

    @TempDir
    static Path tmp;
    private static HttpServer model;
    private static final AtomicInteger served = new AtomicInteger();
    private static TestMesh mesh;
    private static Proxy server;
    private static Proxy client;

    @BeforeAll
    static void start() throws Exception {
        model = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 4096);
        model.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        model.createContext("/", ConcurrentStreamsIT::events);
        model.start();
        mesh = new TestMesh(tmp, TestMesh.meshWithLifetime("1h"), InstantSource.system());
        server = mesh.serverProxy("models/model", model.getAddress(), false, ProxyLimits.DEFAULTS, 1);
        client = mesh.clientProxy("apps/app", 1);
        TestMesh.awaitModelEndpoint(client);
    }

    @AfterAll
    static void stop() {
        client.close();
        server.close();
        mesh.close();
        model.stop(0);
    }

    /** {@code /BYTES}: 50 events every 10 ms, about BYTES in all, numbered from 0. */
    private static void events(com.sun.net.httpserver.HttpExchange exchange) throws IOException {
        try (exchange) {
            served.incrementAndGet();
            long bytes = Long.parseLong(exchange.getRequestURI().getPath().substring(1));
            exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            byte[] pad = new byte[(int) Math.max(0, bytes / EVENTS - 16)];
            Arrays.fill(pad, (byte) 'x');
            for (int i = 0; i < EVENTS; i++) {
                Thread.sleep(10);
                out.write(("data: " + i + " ").getBytes(StandardCharsets.US_ASCII));
                out.write(pad);
                out.write("\n\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String outbound() {
        return "127.0.0.1:" + client.outboundAddress().orElseThrow().getPort();
    }

    /** Stream {@code s}'s size: 64 KB to 1 MB across the streams. */
    private static long size(int s) {
        return Math.round(65_536 * Math.pow(16, s / (double) (STREAMS - 1)));
    }

    @Test
    void everyStreamArrivesWholeRoundAfterRoundOverHttp11() throws Exception {
        for (int round = 1; round <= 2; round++) {
            List<String> failures = Collections.synchronizedList(new ArrayList<>());
            List<Thread> callers = new ArrayList<>();
            for (int s = 0; s < STREAMS; s++) {
                long bytes = size(s);
                callers.add(Thread.ofVirtual().start(() -> {
                    try {
                        int last = lastEvent(bytes);
                        if (last != EVENTS - 1) {
                            failures.add("events 0.." + last + " of " + bytes + " bytes");
                        }
                    } catch (IOException e) {
                        failures.add(e.toString());
                    }
                }));
            }
            for (Thread t : callers) {
                t.join();
            }
            assertThat(failures).as("round %d: streams that did not arrive whole", round).isEmpty();
        }
    }

    @Test
    void everyStreamArrivesWholeRoundAfterRoundOverHttp2() {
        for (int round = 1; round <= 2; round++) {
            // nghttp2's client: one connection, 200 concurrent streams, each body counted and discarded.
            Result r = CliProcess.run(List.of("nghttp", "-n", "-s", "-t", "30", "-m", String.valueOf(STREAMS),
                    "-H", ":authority: model.models", "http://" + outbound() + "/" + size(STREAMS / 2)), Map.of(), Duration.ofSeconds(90));
            assertThat(r.exit()).as("round %d: %s", round, r).isZero();
            assertThat(r.out()).as("round %d", round).doesNotContain("were not processed");
        }
    }

    /** One HTTP/1.1 call; the number of the last event of its de-chunked body, or -1. */
    private static int lastEvent(long bytes) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", client.outboundAddress().orElseThrow().getPort())) {
            // A hung stream waits for ever (a paused connection's answer was never read); a slow one, beside the other
            // classes on 2 cores, waited more than 10 s between events in one full run: bound what a hang is.
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(("GET /" + bytes + " HTTP/1.1\r\nHost: model.models\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            in.transferTo(all);
            String body = dechunked(all.toString(StandardCharsets.ISO_8859_1));
            int at = body.lastIndexOf("data: ");
            return at < 0 ? -1 : Integer.parseInt(body.substring(at + 6, body.indexOf(' ', at + 6)));
        }
    }

    private static String dechunked(String raw) throws IOException {
        if (!raw.startsWith("HTTP/1.1 200")) {
            throw new IOException("answered " + raw.lines().findFirst().orElse("nothing"));
        }
        StringBuilder body = new StringBuilder();
        int at = raw.indexOf("\r\n\r\n") + 4;
        while (true) {
            int eol = raw.indexOf("\r\n", at);
            if (eol < 0) {
                throw new IOException("cut after " + body.length() + " bytes");
            }
            int size = Integer.parseInt(raw.substring(at, eol).strip(), 16);
            if (size == 0) {
                return body.toString();
            }
            if (eol + 2 + size > raw.length()) {
                throw new IOException("cut after " + body.length() + " bytes");
            }
            body.append(raw, eol + 2, eol + 2 + size);
            at = eol + 4 + size;
        }
    }
}
