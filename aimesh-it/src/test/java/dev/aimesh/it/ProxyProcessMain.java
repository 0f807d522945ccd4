package dev.aimesh.it;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.Optional;
import dev.aimesh.core.identity.JoinToken;
import dev.aimesh.proxy.Proxy;
import dev.aimesh.proxy.ProxyOptions;
import dev.aimesh.proxy.http.ProxyLimits;

/**
 * A proxy alone in its JVM, without the CLI around it, for tests that watch what the proxy itself loads:
 * {@code <grpc-port> <token or -> <state-dir> <upstream-port>}. Prints {@code READY <inbound-port>} once a config
 * is enforced, and stops at the line {@code exit} on stdin.
 */
public final class ProxyProcessMain {
    private ProxyProcessMain() {}

    public static void main(String[] args) throws Exception {
        Optional<JoinToken> token = args[1].equals("-") ? Optional.empty() : Optional.of(JoinToken.parse(args[1]));
        try (Proxy proxy = Proxy.start(new ProxyOptions(new InetSocketAddress("127.0.0.1", Integer.parseInt(args[0])), token,
                Optional.of(Path.of(args[2])), Optional.of(new InetSocketAddress("127.0.0.1", 0)),
                Optional.of(new InetSocketAddress("127.0.0.1", Integer.parseInt(args[3]))), false, Optional.empty(),
                "127.0.0.1", false, ProxyLimits.DEFAULTS, 1, InstantSource.system()))) {
            System.out.println("READY " + proxy.inboundAddress().orElseThrow().getPort());
            System.out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line = in.readLine(); line != null && !line.equals("exit"); line = in.readLine()) {
                // wait for the test to be done
            }
        }
        System.exit(0);
    }
}
