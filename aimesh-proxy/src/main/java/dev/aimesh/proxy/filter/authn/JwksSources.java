package dev.aimesh.proxy.filter.authn;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The fetched key sets of a proxy, one per issuer and URI, kept across config snapshots so that a new
 * snapshot does not fetch again what it already has. Fetches run on one daemon thread, never on an event loop.
 */
public final class JwksSources implements AutoCloseable {
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("jwks-fetch").factory());
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NORMAL).build();
    private final Map<String, JwksSource> sources = new ConcurrentHashMap<>();

    JwksSource forIssuer(String issuer, Optional<String> jwksUri, Duration timeout) {
        return sources.computeIfAbsent(issuer + " " + jwksUri.orElse("(discovery)"),
                k -> new JwksSource(issuer, jwksUri, timeout, http, scheduler));
    }

    @Override
    public void close() {
        sources.values().forEach(JwksSource::close);
        scheduler.shutdownNow();
        http.close();
    }
}
