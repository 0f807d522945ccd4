package dev.aimesh.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.InstantSource;
import java.util.Set;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import dev.aimesh.core.identity.SpiffeId;
import dev.aimesh.identity.tls.PeerPolicy;
import dev.aimesh.identity.tls.SpiffeTrustManager;
import dev.aimesh.identity.tls.SvidKeyManager;
import dev.aimesh.identity.x509.TrustBundle;
import dev.aimesh.identity.x509.X509Svid;

/** Raw TLS connections to an inbound proxy with a chosen client certificate, to send exact bytes. */
public final class TlsClients {
    private TlsClients() {}

    public static SSLSocket connect(InetSocketAddress address, X509Svid client, TrustBundle bundle, SpiffeId server) throws Exception {
        return connect(address, client, bundle, server, "http/1.1");
    }

    /** As above, offering {@code alpn} ("h2" for raw HTTP/2 frames). */
    public static SSLSocket connect(InetSocketAddress address, X509Svid client, TrustBundle bundle, SpiffeId server, String alpn)
            throws Exception {
        SSLContext context = SSLContext.getInstance("TLSv1.3");
        context.init(new KeyManager[] {new SvidKeyManager(() -> client)}, new TrustManager[] {new SpiffeTrustManager(
                () -> bundle, server.trustDomain(), Set::of, PeerPolicy.only(server), InstantSource.system())}, new SecureRandom());
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(address.getAddress(), address.getPort());
        socket.setSoTimeout(10_000);
        socket.setEnabledProtocols(new String[] {"TLSv1.3"});
        var params = socket.getSSLParameters();
        params.setApplicationProtocols(new String[] {alpn});
        socket.setSSLParameters(params);
        socket.startHandshake();
        return socket;
    }

    /**
     * Sends the bytes and returns everything the server answers until it closes the connection or stays
     * silent for {@code quietMillis} (a kept-alive connection).
     */
    public static String exchange(SSLSocket socket, byte[] request, int quietMillis) throws IOException {
        socket.getOutputStream().write(request);
        socket.getOutputStream().flush();
        socket.setSoTimeout(quietMillis);
        return readAll(socket.getInputStream());
    }

    public static String exchange(SSLSocket socket, byte[] request) throws IOException {
        return exchange(socket, request, 3000);
    }

    public static String readAll(InputStream in) {
        StringBuilder out = new StringBuilder();
        byte[] buffer = new byte[8192];
        try {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
            }
        } catch (java.net.SocketTimeoutException e) {
            // quiet: the server keeps the connection open
        } catch (IOException e) {
            out.append("<").append(e.getClass().getSimpleName()).append(">");
        }
        return out.toString();
    }
}
