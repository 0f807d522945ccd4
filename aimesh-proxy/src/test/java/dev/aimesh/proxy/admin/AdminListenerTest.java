package dev.aimesh.proxy.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import dev.aimesh.proxy.ProxyStats;

class AdminListenerTest {
    @Test
    void readyTurnsTo503WithTheReasonOnceTheProxyCannotGoOn() throws Exception {
        AtomicReference<String> problem = new AtomicReference<>();
        try (AdminListener admin = new AdminListener(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                () -> new ProxyStats(0, 0, 0, 0, 0, 0), () -> Optional.ofNullable(problem.get()));
                HttpClient http = HttpClient.newHttpClient()) {
            HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.address().getPort() + "/ready")).build();
            assertThat(http.send(ready, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);

            problem.set("the config stream can no longer reconnect");

            HttpResponse<String> notReady = http.send(ready, HttpResponse.BodyHandlers.ofString());
            assertThat(notReady.statusCode()).isEqualTo(503);
            assertThat(notReady.body()).contains("the config stream can no longer reconnect");
        }
    }
}
