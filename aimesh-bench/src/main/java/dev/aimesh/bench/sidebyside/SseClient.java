package dev.aimesh.bench.sidebyside;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The streaming client, a process of its own pinned beside the load generator: opens STREAMS concurrent HTTP/1.1
 * requests for {@link SseUpstream}'s event streams, sizes spread evenly on a log scale from MIN to MAX bytes, and
 * records for each stream the time to its first event (from writing the request) and for each event its delay on
 * the way (arrival minus the upstream's write time, both {@link System#nanoTime()}: one clock on Linux).
 *
 * <p>Usage: {@code SseClient HOST:PORT AUTHORITY STREAMS MIN_BYTES MAX_BYTES CHUNKS INTERVAL_MS ROUNDS}. Runs ROUNDS
 * rounds one after the other in this JVM (the first ones warm the client up too); for round R prints {@code open R N}
 * once every stream has had its first event (or failed), then {@code R streams ok=N failed=N},
 * {@code R ttfb-us P50 P90 P99 MAX} and {@code R chunk-delay-us P50 P90 P99 P99.9 MAX}.
 */
public final class SseClient {
    private SseClient() {}

    public static void main(String[] args) throws InterruptedException {
        String[] hostPort = args[0].split(":");
        InetSocketAddress address = new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1]));
        String authority = args[1];
        int streams = Integer.parseInt(args[2]);
        long min = Long.parseLong(args[3]);
        long max = Long.parseLong(args[4]);
        int chunks = Integer.parseInt(args[5]);
        int interval = Integer.parseInt(args[6]);
        int rounds = Integer.parseInt(args[7]);
        for (int round = 1; round <= rounds; round++) {
            round(round, address, authority, streams, min, max, chunks, interval);
        }
    }

    private static void round(int round, InetSocketAddress address, String authority, int streams, long min, long max, int chunks,
            int interval) throws InterruptedException {
        CountDownLatch open = new CountDownLatch(streams);
        AtomicInteger failed = new AtomicInteger();
        long[] ttfb = new long[streams];
        long[][] delays = new long[streams][];
        List<Thread> threads = new ArrayList<>();
        List<String> errors = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < streams; i++) {
            int s = i;
            long bytes = Math.round(min * Math.pow((double) max / min, streams == 1 ? 0 : s / (double) (streams - 1)));
            String request = "GET /sse/" + bytes + "?chunks=" + chunks + "&interval=" + interval + " HTTP/1.1\r\nHost: " + authority
                    + "\r\nAccept: text/event-stream\r\nConnection: close\r\n\r\n";
            threads.add(Thread.ofVirtual().start(() -> {
                boolean counted = false;
                try (Socket socket = new Socket()) {
                    socket.setTcpNoDelay(true);
                    socket.connect(address, 10_000);
                    socket.setSoTimeout(30_000);
                    long sent = System.nanoTime();
                    OutputStream out = socket.getOutputStream();
                    out.write(request.getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    EventReader in = new EventReader(body(new BufferedInputStream(socket.getInputStream(), 16384)));
                    long[] d = new long[chunks];
                    for (int e = 0; e < chunks; e++) {
                        long written = in.next();
                        long now = System.nanoTime();
                        if (e == 0) {
                            ttfb[s] = (now - sent) / 1000;
                            open.countDown();
                            counted = true;
                        }
                        d[e] = (now - written) / 1000;
                    }
                    delays[s] = d;
                } catch (IOException | RuntimeException e) {
                    failed.incrementAndGet();
                    errors.add(e.toString());
                    if (!counted) {
                        open.countDown();
                    }
                }
            }));
        }
        open.await();
        System.out.println("open " + round + " " + (streams - failed.get()));
        System.out.flush();
        for (Thread t : threads) {
            t.join();
        }
        long[] firsts = Arrays.stream(ttfb).filter(v -> v > 0).sorted().toArray();
        long[] all = Arrays.stream(delays).filter(d -> d != null).flatMapToLong(Arrays::stream).sorted().toArray();
        System.out.println(round + " streams ok=" + (streams - failed.get()) + " failed=" + failed.get());
        System.out.println(round + " ttfb-us " + pct(firsts, 50) + " " + pct(firsts, 90) + " " + pct(firsts, 99) + " " + pct(firsts, 100));
        System.out.println(round + " chunk-delay-us " + pct(all, 50) + " " + pct(all, 90) + " " + pct(all, 99) + " " + pct(all, 99.9) + " "
                + pct(all, 100));
        errors.stream().distinct().limit(5).forEach(e -> System.out.println(round + " error " + e));
        System.out.flush();
    }

    private static long pct(long[] sorted, double q) {
        if (sorted.length == 0) {
            return -1;
        }
        int rank = (int) Math.ceil(q / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    /** Reads the status line and headers; returns the body, de-chunked when it is chunked. */
    static InputStream body(InputStream in) throws IOException {
        String status = line(in);
        if (!status.startsWith("HTTP/1.1 200")) {
            throw new IOException("status " + status);
        }
        boolean chunked = false;
        for (String h = line(in); !h.isEmpty(); h = line(in)) {
            String lower = h.toLowerCase(Locale.ROOT);
            chunked |= lower.startsWith("transfer-encoding:") && lower.contains("chunked");
        }
        return chunked ? new Dechunked(in) : in;
    }

    /** Events ({@code data: SEQ NANOS PADDING\n\n}) from a body, read in bulk: the padding is skipped, not copied. */
    static final class EventReader {
        private final InputStream body;
        private final byte[] buf = new byte[65536];
        private int pos;
        private int lim;

        EventReader(InputStream body) {
            this.body = body;
        }

        /** Reads the next whole event and returns its NANOS. */
        long next() throws IOException {
            StringBuilder head = new StringBuilder(48);
            int spaces = 0;
            while (spaces < 3) {
                int b = read();
                if (b == '\n') {
                    break;
                }
                if (b == ' ') {
                    spaces++;
                }
                if (spaces < 3) {
                    head.append((char) b);
                }
            }
            if (spaces == 3) {
                skipPast('\n');
            }
            if (read() != '\n') {
                throw new IOException("an event did not end with a blank line");
            }
            String[] fields = head.toString().split(" ");
            if (fields.length < 3 || !fields[0].equals("data:")) {
                throw new IOException("not an event: " + head);
            }
            return Long.parseLong(fields[2]);
        }

        private int read() throws IOException {
            if (pos == lim && !fill()) {
                throw new IOException("the stream ended inside an event");
            }
            return buf[pos++];
        }

        private void skipPast(char c) throws IOException {
            while (true) {
                for (int i = pos; i < lim; i++) {
                    if (buf[i] == c) {
                        pos = i + 1;
                        return;
                    }
                }
                pos = lim;
                if (!fill()) {
                    throw new IOException("the stream ended inside an event");
                }
            }
        }

        private boolean fill() throws IOException {
            int n = body.read(buf, 0, buf.length);
            pos = 0;
            lim = Math.max(0, n);
            return n > 0;
        }
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int b;
        while ((b = in.read()) != -1 && b != '\n') {
            if (b != '\r') {
                sb.append((char) b);
            }
        }
        if (b == -1 && sb.isEmpty()) {
            throw new IOException("connection closed");
        }
        return sb.toString();
    }

    /** HTTP/1.1 chunked transfer coding, read as the plain body. */
    static final class Dechunked extends InputStream {
        private final InputStream in;
        private long left;
        private boolean done;

        Dechunked(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            if (done) {
                return -1;
            }
            if (left == 0) {
                String size = line(in).trim();
                if (size.isEmpty()) {
                    size = line(in).trim(); // the CRLF that ends the previous chunk's data
                }
                int semi = size.indexOf(';');
                left = Long.parseLong(semi < 0 ? size : size.substring(0, semi), 16);
                if (left == 0) {
                    done = true;
                    return -1;
                }
            }
            left--;
            return in.read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (left == 0) {
                int first = read(); // reads the next chunk's size line
                if (first == -1) {
                    return -1;
                }
                b[off] = (byte) first;
                return 1 + Math.max(0, readSome(b, off + 1, len - 1));
            }
            return readSome(b, off, len);
        }

        private int readSome(byte[] b, int off, int len) throws IOException {
            if (left == 0 || len == 0) {
                return 0;
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n < 0) {
                throw new IOException("the connection closed inside a chunk");
            }
            left -= n;
            return n;
        }
    }
}
