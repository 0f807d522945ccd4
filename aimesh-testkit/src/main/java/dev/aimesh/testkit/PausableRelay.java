package dev.aimesh.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP relay on loopback to one target, which a test can hold shut: while held, every connection is closed
 * at once, as a network partition between one proxy and the control plane would. Lets a test decide the
 * order in which proxies rejoin a restarted control plane instead of leaving it to their backoff.
 */
public final class PausableRelay implements AutoCloseable {
    private final ServerSocket listener;
    private final InetSocketAddress target;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile boolean held;

    public PausableRelay(InetSocketAddress target) throws IOException {
        this.target = target;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().name("relay-accept").start(this::accept);
    }

    public String address() {
        return "127.0.0.1:" + listener.getLocalPort();
    }

    /** Closes every relayed connection and refuses new ones until {@link #release()}. */
    public void hold() {
        held = true;
        open.forEach(PausableRelay::closeQuietly);
    }

    public void release() {
        held = false;
    }

    private void accept() {
        while (!listener.isClosed()) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                return; // closed
            }
            if (held) {
                closeQuietly(client);
                continue;
            }
            Thread.ofVirtual().start(() -> relay(client));
        }
    }

    private void relay(Socket client) {
        try (client; Socket upstream = new Socket()) {
            upstream.connect(target, 5_000);
            open.add(client);
            open.add(upstream);
            Thread back = Thread.ofVirtual().start(() -> pipe(upstream, client));
            pipe(client, upstream);
            back.join();
        } catch (IOException | InterruptedException e) {
            // the target is down or the relay is held: the client sees its connection closed
        } finally {
            open.remove(client);
        }
    }

    /** Copies until either side ends, then closes both, so the other direction ends too. */
    private void pipe(Socket from, Socket to) {
        byte[] buf = new byte[16 * 1024];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            for (int n; (n = in.read(buf)) >= 0;) {
                out.write(buf, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // reset or closed
        } finally {
            closeQuietly(from);
            closeQuietly(to);
            open.remove(from);
            open.remove(to);
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        open.forEach(PausableRelay::closeQuietly);
    }
}
