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
 * The thread and the HTTP client are made for the first issuer whose keys are fetched: a proxy whose policies
 * fetch none loads neither (nor {@code java.net.http}).
 */
public final class JwksSources implements AutoCloseable {
    private final Map<String, JwksSource> sources = new ConcurrentHashMap<>();
    private ScheduledExecutorService scheduler;
    private HttpClient http;

    synchronized JwksSource forIssuer(String issuer, Optional<String> jwksUri, Duration timeout) {
        if (http == null) {
            scheduler = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("jwks-fetch").factory());
            http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).followRedirects(HttpClient.Redirect.NORMAL).build();
        }
        return sources.computeIfAbsent(issuer + " " + jwksUri.orElse("(discovery)"),
                k -> new JwksSource(issuer, jwksUri, timeout, http, scheduler));
    }

    @Override
    public synchronized void close() {
        sources.values().forEach(JwksSource::close);
        if (http != null) {
            scheduler.shutdownNow();
            http.close();
        }
    }
}
