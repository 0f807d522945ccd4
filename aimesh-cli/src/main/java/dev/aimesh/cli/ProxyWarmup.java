package dev.aimesh.cli;

import dev.aimesh.identity.x509.Keys;

/**
 * Start-up work a proxy needs in any case, begun on a second thread as soon as the process starts so that it
 * overlaps with what the main thread waits for (parsing the command line, asking the control plane for its
 * gRPC address, the TLS handshake with it), instead of each of them running in turn on the main thread
 * (reading the logging configuration, loading BoringSSL, the JDK's EC provider). Each step is idempotent and
 * thread-safe where the proxy later does it for real, so whichever thread comes first does the work once.
 */
final class ProxyWarmup {
    private ProxyWarmup() {}

    static void start() {
        Thread.ofPlatform().daemon().name("aimesh-warmup").start(ProxyWarmup::run);
    }

    private static void run() {
        try {
            org.slf4j.LoggerFactory.getILoggerFactory(); // logback reads its configuration
            io.netty.handler.ssl.OpenSsl.isAvailable(); // loads the BoringSSL library
            io.netty.channel.epoll.Epoll.isAvailable(); // loads the epoll library
            Keys.newP256(); // the EC provider and the SecureRandom behind the proxy's key pair
        } catch (RuntimeException | LinkageError e) {
            // Only a head start: the proxy does each step itself and reports what fails there.
        }
    }
}
