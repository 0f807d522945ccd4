package dev.aimesh.proxy.filter.authn;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.text.ParseException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.util.JSONObjectUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import dev.aimesh.identity.jwt.KeySource;

/**
 * The keys of one issuer, fetched from its {@code jwksUri} (or found by OIDC discovery from the issuer) off
 * the event loop, refreshed every {@link #REFRESH}, sooner while fetching fails. The last good set stays in
 * use when a refresh fails; until a first fetch succeeds there is none, so the issuer's tokens are refused
 * (fail closed) with {@link #problem()} as the reason.
 */
final class JwksSource implements KeySource {
    private static final Logger log = LoggerFactory.getLogger(JwksSource.class);
    static final Duration REFRESH = Duration.ofMinutes(5);
    private static final Duration RETRY = Duration.ofSeconds(2);
    private static final int MAX_BYTES = 1024 * 1024;
    /** At most one fetch for an unknown key id in this long, so tokens with made-up ids cannot flood the issuer. */
    static final Duration UNKNOWN_KID_REFETCH = Duration.ofSeconds(30);

    private final String issuer;
    private final Optional<String> jwksUri;
    private final Duration timeout;
    private final HttpClient http;
    private final ScheduledExecutorService scheduler;
    private final AtomicReference<JWKSet> keys = new AtomicReference<>();
    private final AtomicReference<String> problem = new AtomicReference<>("the JWKS is not fetched yet");
    private volatile boolean closed;
    private final java.util.concurrent.atomic.AtomicLong lastKidFetch = new java.util.concurrent.atomic.AtomicLong(
            System.nanoTime() - UNKNOWN_KID_REFETCH.toNanos());

    JwksSource(String issuer, Optional<String> jwksUri, Duration timeout, HttpClient http, ScheduledExecutorService scheduler) {
        this.issuer = issuer;
        this.jwksUri = jwksUri;
        this.timeout = timeout;
        this.http = http;
        this.scheduler = scheduler;
        scheduler.execute(this::refresh);
    }

    @Override
    public JWKSet current() {
        return keys.get();
    }

    /** Why there are no keys, when there are none. */
    String problem() {
        return problem.get();
    }

    /**
     * A token named a key id the set does not have: the issuer may have rotated its keys, so fetch again
     * now (off the event loop), at most once per {@link #UNKNOWN_KID_REFETCH}.
     */
    void unknownKeyId() {
        long now = System.nanoTime();
        long last = lastKidFetch.get();
        if (now - last >= UNKNOWN_KID_REFETCH.toNanos() && lastKidFetch.compareAndSet(last, now)) {
            scheduler.execute(this::fetchOnce);
        }
    }

    private void fetchOnce() {
        try {
            String uri = jwksUri.isPresent() ? jwksUri.get() : discover();
            JWKSet fetched = JWKSet.parse(get(uri));
            if (!fetched.getKeys().isEmpty()) {
                keys.set(fetched);
                log.info("fetched the JWKS of {} again for an unknown key id: {} key(s)", issuer, fetched.getKeys().size());
            }
        } catch (IOException | ParseException | RuntimeException e) {
            log.warn("cannot fetch the JWKS of {} again: {}", issuer, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    void close() {
        closed = true;
    }

    private void refresh() {
        if (closed) {
            return;
        }
        Duration next = REFRESH;
        try {
            String uri = jwksUri.isPresent() ? jwksUri.get() : discover();
            JWKSet fetched = JWKSet.parse(get(uri));
            if (fetched.getKeys().isEmpty()) {
                throw new IOException(uri + " has no keys");
            }
            if (keys.getAndSet(fetched) == null) {
                log.info("fetched the JWKS of {} from {}: {} key(s)", issuer, uri, fetched.getKeys().size());
            }
        } catch (IOException | ParseException | RuntimeException e) {
            problem.set("the JWKS of " + issuer + " cannot be fetched: " + e.getMessage());
            log.warn("{}{}", problem.get(), keys.get() == null ? "; its tokens are refused" : "; the last keys stay in use");
            next = keys.get() == null ? RETRY : REFRESH.dividedBy(5);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        if (!closed) {
            scheduler.schedule(this::refresh, next.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** OIDC discovery: the issuer's {@code /.well-known/openid-configuration} names its {@code jwks_uri}. */
    private String discover() throws IOException, InterruptedException, ParseException {
        String base = issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer;
        Map<String, Object> configuration = JSONObjectUtils.parse(get(base + "/.well-known/openid-configuration"));
        Object uri = configuration.get("jwks_uri");
        if (!(uri instanceof String s) || s.isEmpty()) {
            throw new IOException("the OpenID configuration of " + issuer + " names no jwks_uri");
        }
        return s;
    }

    private String get(String uri) throws IOException, InterruptedException {
        HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(URI.create(uri)).timeout(timeout)
                .header("accept", "application/json").GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() != 200) {
            throw new IOException(uri + " answered HTTP " + response.statusCode());
        }
        if (response.body().length > MAX_BYTES) {
            throw new IOException(uri + " sent more than " + MAX_BYTES + " bytes");
        }
        return new String(response.body(), java.nio.charset.StandardCharsets.UTF_8);
    }
}
