package dev.aimesh.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import dev.aimesh.testkit.FaultMesh;
import dev.aimesh.testkit.FaultMesh.ProxyProcess;
import dev.aimesh.testkit.HeadRecordingUpstream;
import dev.aimesh.testkit.ProcessHeap;
import dev.aimesh.testkit.Curl;

/**
 * The overload cases of the protocol hygiene suite: a thousand slowloris connections, and a hundred connections
 * sending 100 KB heads, at the app's outbound proxy while a legitimate caller is served. The proxies run as their
 * own processes ({@link FaultMesh}), so that the heap measured is the attacked proxy's alone and the full
 * collections that measure it stop only that process: the class runs beside the other end-to-end classes.
 */
class HeadFloodIT {
    /** A short request-headers timeout (the default is 10 s), so that the slowloris case takes seconds. */
    private static final Duration HEAD_TIMEOUT = Duration.ofSeconds(2);

    @TempDir
    static Path tmp;
    private static HeadRecordingUpstream model;
    private static FaultMesh mesh;
    private static ProxyProcess client;

    @BeforeAll
    static void start() throws Exception {
        model = new HeadRecordingUpstream();
        mesh = new FaultMesh(tmp, "1h", FaultMesh.ONLY_APP_CALLS_THE_MODEL);
        mesh.startControlPlane();
        mesh.modelProxy(model.address().getPort());
        client = mesh.callerProxy("apps/app", "--request-headers-timeout", HEAD_TIMEOUT.toSeconds() + "s");
        org.awaitility.Awaitility.await("the caller's proxy routing to the model").atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> dev.aimesh.testkit.Curl.assertStatus(dev.aimesh.testkit.Curl.run("http1.1",
                        client.outboundUrl("/legit"), "-H", "Host: model.models"), 200));
    }

    @AfterAll
    static void stop() throws Exception {
        if (mesh != null) {
            mesh.close();
        }
        model.close();
    }

    /**
     * What the legitimate caller's p99 must stay under while an attack runs, on 2 cores; on a CPU busier than that
     * (other classes beside this one), {@link #P99_FACTOR} times the caller's p99 measured alone just before.
     */
    private static final Duration P99_BOUND = Duration.ofMillis(500);
    private static final int P99_FACTOR = 3;
    private static final int WARM_UP = 5;
    /** How much the caller's proxy's live heap may grow while the attack's connections are open. */
    private static final long HEAP_BOUND = 96L * 1024 * 1024;

    /** One legitimate call: when it started and how long it took (nanos). */
    private record Call(long start, long nanos) {}

    /** When the test's own full collections of the caller's proxy ran: they stop that process. */
    private static final List<long[]> PAUSES = new java.util.concurrent.CopyOnWriteArrayList<>();

    /**
     * Calls the model through the proxy pair, one call after another over keep-alive, until {@code done}; counts
     * {@code warmedUp} down after its first calls (which load the client's classes and open its connection).
     */
    private static java.util.concurrent.CompletableFuture<List<Call>> legitimateCaller(java.util.concurrent.atomic.AtomicBoolean done,
            java.util.concurrent.CountDownLatch warmedUp) {
        return java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1)
                    .proxy(java.net.ProxySelector.of(outbound())).build();
            List<Call> nanos = new ArrayList<>();
            // Until done and 20 calls no full collection of the test's paused: a flood refused within a
            // collection's pause would otherwise leave no call to measure. A pause is listed before it starts, so a
            // call found unpaused when it ends stays so.
            int measured = 0;
            while (!done.get() || measured < 20) {
                long start = System.nanoTime();
                try {
                    var response = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://model.models/legit"))
                            .timeout(Duration.ofSeconds(10)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
                    assertThat(response.statusCode()).isEqualTo(200);
                } catch (IOException | InterruptedException e) {
                    throw new AssertionError("a legitimate call failed during the attack", e);
                }
                Call call = new Call(start, System.nanoTime() - start);
                nanos.add(call);
                measured += nanos.size() > WARM_UP && !unpaused(List.of(call)).isEmpty() ? 1 : 0;
                if (nanos.size() == WARM_UP) {
                    warmedUp.countDown();
                }
            }
            return nanos.subList(WARM_UP, nanos.size());
        }, java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
    }

    /** The calls that no full collection of the test's own paused (one still running counts to the end of time). */
    private static List<Call> unpaused(List<Call> calls) {
        return calls.stream().filter(c -> PAUSES.stream().noneMatch(p -> c.start() < p[1] && c.start() + c.nanos() > p[0])).toList();
    }

    /** The 99th percentile of the calls that no full collection of the test's own paused. */
    private static Duration p99(List<Call> calls) {
        List<Long> sorted = unpaused(calls).stream().map(Call::nanos).sorted().toList();
        assertThat(sorted).as("calls outside the test's own collections (of %d made)", calls.size()).isNotEmpty();
        return Duration.ofNanos(sorted.get((int) Math.ceil(sorted.size() * 0.99) - 1));
    }

    private static long heapUsed() {
        long[] pause = {System.nanoTime(), Long.MAX_VALUE}; // listed before it starts: a call ending inside it is not counted
        PAUSES.add(pause);
        long live = ProcessHeap.live(client.process);
        pause[1] = System.nanoTime();
        return live;
    }

    private static InetSocketAddress outbound() {
        String[] hostPort = client.outbound.split(":");
        return new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1]));
    }

    /** The bound for the caller's p99 under attack: {@link #P99_BOUND}, or more on a CPU that is slower right now. */
    private static Duration p99Bound() throws Exception {
        var done = new java.util.concurrent.atomic.AtomicBoolean();
        var warmedUp = new java.util.concurrent.CountDownLatch(1);
        var caller = legitimateCaller(done, warmedUp);
        assertThat(warmedUp.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        Thread.sleep(2_000);
        done.set(true);
        Duration alone = p99(caller.get(60, java.util.concurrent.TimeUnit.SECONDS));
        Duration bound = alone.multipliedBy(P99_FACTOR).compareTo(P99_BOUND) > 0 ? alone.multipliedBy(P99_FACTOR) : P99_BOUND;
        System.out.printf("legitimate caller alone: p99 %d ms; bound under attack %d ms%n", alone.toMillis(), bound.toMillis());
        return bound;
    }

    /** Asserts that the server closed every socket by the deadline; how many of them it answered with {@code status}. */
    private static int closedAnswering(List<Socket> sockets, long deadlineNanos, String status) {
        int answered = 0;
        for (Socket socket : sockets) {
            String answer = untilClosed(socket, deadlineNanos);
            assertThat(answer).as("closed by the deadline").isNotNull();
            answered += answer.startsWith(status) ? 1 : 0;
        }
        return answered;
    }

    /** Reads until the server closes; the answer (possibly cut by a reset), or null if still open at the deadline. */
    private static String untilClosed(Socket socket, long deadlineNanos) {
        StringBuilder answer = new StringBuilder();
        byte[] buffer = new byte[4096];
        try {
            InputStream in = socket.getInputStream();
            while (true) {
                long left = Duration.ofNanos(deadlineNanos - System.nanoTime()).toMillis();
                if (left <= 0) {
                    return null;
                }
                socket.setSoTimeout((int) left);
                int n = in.read(buffer);
                if (n < 0) {
                    return answer.toString();
                }
                answer.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
            }
        } catch (java.net.SocketTimeoutException e) {
            return null;
        } catch (IOException e) {
            return answer.append("<reset>").toString(); // closed with the rest of the request unread
        }
    }

    @Test
    void aThousandSlowlorisConnectionsAreAnswered408AndClosedWithinTheTimeoutWhileACallerIsServed() throws Exception {
        InetSocketAddress address = outbound();
        Duration p99Bound = p99Bound();
        int before = model.heads().size();
        long heapBefore = heapUsed();
        List<Socket> slow = new ArrayList<>();
        var done = new java.util.concurrent.atomic.AtomicBoolean();
        var warmedUp = new java.util.concurrent.CountDownLatch(1);
        var caller = legitimateCaller(done, warmedUp);
        assertThat(warmedUp.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        try {
            long start = System.nanoTime();
            for (int i = 0; i < 1000; i++) {
                Socket socket = new Socket(address.getAddress(), address.getPort());
                socket.getOutputStream().write(("GET /slow-" + i + " HTTP/1.1\r\nHost: model.models\r\nX-Slow: ")
                        .getBytes(StandardCharsets.US_ASCII));
                slow.add(socket);
            }
            Duration opened = Duration.ofNanos(System.nanoTime() - start);
            long heapDuring = heapUsed() - heapBefore;
            long deadline = start + HEAD_TIMEOUT.plus(opened).plusSeconds(5).toNanos();
            int answered408 = closedAnswering(slow, deadline, "HTTP/1.1 408");
            Duration allClosed = Duration.ofNanos(System.nanoTime() - start);
            done.set(true);
            List<Call> latencies = caller.get(60, java.util.concurrent.TimeUnit.SECONDS);
            System.out.printf("slowloris: 1000 connections opened in %d ms, all closed after %d ms, %d answered 408; heap +%d MiB;"
                    + " legitimate caller: %d calls, p99 %d ms%n", opened.toMillis(), allClosed.toMillis(), answered408,
                    heapDuring >> 20, latencies.size(), p99(latencies).toMillis());
            System.out.println("slowest calls (ms after the attack began, ms): " + latencies.stream()
                    .sorted(java.util.Comparator.comparingLong(Call::nanos).reversed()).limit(5)
                    .map(c -> (c.start() - start) / 1_000_000 + ":" + c.nanos() / 1_000_000).toList() + " pauses "
                    + PAUSES.stream().map(p -> (p[0] - start) / 1_000_000 + "+" + (p[1] - p[0]) / 1_000_000).toList());
            assertThat(answered408).isEqualTo(1000);
            assertThat(heapDuring).isLessThan(HEAP_BOUND);
            assertThat(p99(latencies)).isLessThan(p99Bound);
            assertThat(model.heads().stream().filter(h -> h.contains("/slow-"))).isEmpty();
            assertThat(model.heads().size() - before).isEqualTo(WARM_UP + latencies.size());
        } finally {
            done.set(true);
            for (Socket socket : slow) {
                socket.close();
            }
        }
    }

    @Test
    void aHundredConnectionsSending100KbHeadsAreRefusedWithoutReachingTheModelWhileACallerIsServed() throws Exception {
        InetSocketAddress address = outbound();
        byte[] head = ("GET /big HTTP/1.1\r\nHost: model.models\r\n" + ("X-Pad: " + "p".repeat(1016) + "\r\n").repeat(100) + "\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        Duration p99Bound = p99Bound();
        long heapBefore = heapUsed();
        var done = new java.util.concurrent.atomic.AtomicBoolean();
        var warmedUp = new java.util.concurrent.CountDownLatch(1);
        var caller = legitimateCaller(done, warmedUp);
        assertThat(warmedUp.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        var writers = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();
        List<Socket> big = new ArrayList<>();
        try {
            long start = System.nanoTime();
            for (int i = 0; i < 100; i++) {
                Socket socket = new Socket(address.getAddress(), address.getPort());
                big.add(socket);
                writers.submit(() -> {
                    try {
                        socket.getOutputStream().write(head);
                    } catch (IOException e) {
                        // refused before the end of the head: the point
                    }
                });
            }
            long heapDuring = heapUsed() - heapBefore;
            long deadline = start + Duration.ofSeconds(20).toNanos();
            int answered431 = closedAnswering(big, deadline, "HTTP/1.1 431");
            Duration allClosed = Duration.ofNanos(System.nanoTime() - start);
            done.set(true);
            List<Call> latencies = caller.get(60, java.util.concurrent.TimeUnit.SECONDS);
            System.out.printf("100 KB heads: 100 connections all closed after %d ms, %d read their 431 before the reset; heap +%d MiB;"
                    + " legitimate caller: %d calls, p99 %d ms%n", allClosed.toMillis(), answered431, heapDuring >> 20,
                    latencies.size(), p99(latencies).toMillis());
            assertThat(answered431).as("most read the 431 (the rest were reset with their head unread)").isGreaterThan(0);
            assertThat(heapDuring).isLessThan(HEAP_BOUND);
            assertThat(p99(latencies)).isLessThan(p99Bound);
            assertThat(model.heads().stream().filter(h -> h.contains("/big"))).isEmpty();
        } finally {
            done.set(true);
            writers.shutdownNow();
            for (Socket socket : big) {
                socket.close();
            }
        }
    }
}
