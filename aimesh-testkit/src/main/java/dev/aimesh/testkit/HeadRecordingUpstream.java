package dev.aimesh.testkit;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A stand-in model server over a raw socket that records each request head exactly as it arrived (request
 * line and header lines, names as sent), so a test sees the framing the proxy chose. It reads the body as
 * the head frames it and answers 200 with {@code ok}; on {@code /chunked} the answer is chunked, on
 * {@code /interim} it comes after two interim responses (100 and 103).
 */
public final class HeadRecordingUpstream implements AutoCloseable {
    private final ServerSocket server;
    private final List<String> heads = new CopyOnWriteArrayList<>();

    public HeadRecordingUpstream() throws IOException {
        server = new ServerSocket(0, 64, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(this::accept);
    }

    public InetSocketAddress address() {
        return new InetSocketAddress(server.getInetAddress(), server.getLocalPort());
    }

    /** The heads received so far, oldest first; each ends with its header lines, lower-cased names kept as sent. */
    public List<String> heads() {
        return List.copyOf(heads);
    }

    public String last() {
        return heads.isEmpty() ? "" : heads.get(heads.size() - 1);
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                Thread.ofVirtual().start(() -> serve(socket));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            String head;
            while ((head = readHead(in)) != null) {
                String lower = head.toLowerCase(Locale.ROOT);
                if (lower.contains("\r\ntransfer-encoding: chunked")) {
                    readChunked(in);
                } else {
                    int at = lower.indexOf("\r\ncontent-length:");
                    if (at >= 0) {
                        int end = lower.indexOf("\r\n", at + 2);
                        in.readNBytes(Integer.parseInt(lower.substring(at + 17, end < 0 ? lower.length() : end).strip()));
                    }
                }
                heads.add(head);
                if (head.startsWith("GET /interim")) { // as a server may before its answer (RFC 9110 15.2)
                    out.write(("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n"
                            + "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n").getBytes(StandardCharsets.US_ASCII));
                } else if (head.startsWith("GET /chunked") || head.startsWith("POST /chunked")) {
                    out.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                } else {
                    out.write("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n".getBytes(StandardCharsets.US_ASCII));
                }
                out.flush();
            }
        } catch (IOException | RuntimeException e) {
            // the proxy closed the connection
        }
    }

    /** The head up to (not including) its empty line, or null at the end of the stream. */
    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int b;
        int matched = 0;
        while ((b = in.read()) >= 0) {
            head.write(b);
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3)) ? matched + 1 : 0;
            if (matched == 4) {
                String text = head.toString(StandardCharsets.ISO_8859_1);
                return text.substring(0, text.length() - 4);
            }
        }
        return null;
    }

    private static void readChunked(InputStream in) throws IOException {
        while (true) {
            String line = readLine(in);
            int size = Integer.parseInt(line.split(";")[0].strip(), 16);
            if (size == 0) {
                while (!readLine(in).isEmpty()) {
                    // trailers
                }
                return;
            }
            in.readNBytes(size);
            readLine(in);
        }
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
            if (b != '\r') {
                line.append((char) b);
            }
        }
        if (b < 0) {
            throw new IOException("end of stream in a chunked body");
        }
        return line.toString();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
