package dev.aimesh.proxy.agent;

import java.net.InetSocketAddress;
import java.security.KeyPair;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;
import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import dev.aimesh.api.ApiMessages;
import dev.aimesh.api.v1.IdentityServiceGrpc;
import dev.aimesh.api.v1.SignCertificateRequest;
import dev.aimesh.api.v1.SignCertificateResponse;
import dev.aimesh.core.identity.JoinToken;
import dev.aimesh.core.identity.SpiffeId;
import dev.aimesh.core.identity.TrustDomain;
import dev.aimesh.identity.x509.SvidRequest;
import dev.aimesh.identity.x509.Keys;
import dev.aimesh.identity.x509.TrustBundle;
import dev.aimesh.identity.x509.X509Svid;
import dev.aimesh.identity.x509.X509SvidVerifier;

/**
 * A workload's identity: obtains the first SVID with a join token, then renews it over mTLS at half its
 * lifetime, retrying with jittered backoff while the control plane is away, and keeps the trust bundle.
 * The private key is made here and never leaves. Listeners hear about every new SVID.
 */
public final class WorkloadIdentity implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WorkloadIdentity.class);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);

    private final InetSocketAddress controlPlane;
    private final InstantSource clock;
    private final TrustDomain trustDomain;
    private final String workload;
    private final AtomicReference<X509Svid> svid;
    private final AtomicReference<TrustBundle> bundle;
    private final ManagedChannel channel;
    private final ScheduledExecutorService scheduler;
    private final Backoff backoff = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(30), RandomGenerator.getDefault());
    private final List<Consumer<X509Svid>> listeners = new CopyOnWriteArrayList<>();
    private final java.util.concurrent.atomic.AtomicLong renewalFailures = new java.util.concurrent.atomic.AtomicLong();
    private volatile boolean closed;

    private WorkloadIdentity(InetSocketAddress controlPlane, InstantSource clock, String workload, X509Svid first,
            TrustBundle firstBundle) {
        this.controlPlane = controlPlane;
        this.clock = clock;
        this.workload = workload;
        this.trustDomain = first.id().trustDomain();
        this.svid = new AtomicReference<>(first);
        this.bundle = new AtomicReference<>(firstBundle);
        this.channel = ControlPlaneChannels.mutualTls(controlPlane, svid::get, bundle::get, trustDomain, clock);
        this.scheduler = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("svid-renewal-" + first.id().path()).factory());
    }

    /** Presents the join token once and returns the workload's first SVID; renewal starts with {@link #startRenewal}. */
    public static WorkloadIdentity bootstrap(InetSocketAddress controlPlane, JoinToken token, InstantSource clock)
            throws BootstrapException {
        ManagedChannel channel = ControlPlaneChannels.bootstrap(controlPlane, token.rootPins(), clock);
        try {
            KeyPair keys = Keys.newP256();
            // The CSR names no identity: the control plane decides it from the token, and the reply says which.
            SignCertificateResponse response = sign(channel, SignCertificateRequest.newBuilder()
                    .setCsr(ByteString.copyFrom(SvidRequest.der(keys, Optional.empty())))
                    .setJoinToken(token.toString()).build());
            return fromResponse(controlPlane, clock, keys, response);
        } catch (StatusRuntimeException e) {
            throw new BootstrapException(describe(e, controlPlane), e);
        } catch (CertificateException | IllegalArgumentException e) {
            throw new BootstrapException("the control plane at " + hostPort(controlPlane) + " sent an unusable answer: "
                    + e.getMessage(), e);
        } finally {
            channel.shutdownNow();
        }
    }

    /**
     * Takes up an identity kept from an earlier run (already checked: valid, verified, key matching); it
     * renews over mTLS like a joined one, so no join token is needed.
     */
    public static WorkloadIdentity resume(InetSocketAddress controlPlane, String workload, X509Svid svid, TrustBundle bundle,
            InstantSource clock) {
        return new WorkloadIdentity(controlPlane, clock, workload, svid, bundle);
    }

    private static WorkloadIdentity fromResponse(InetSocketAddress controlPlane, InstantSource clock, KeyPair keys,
            SignCertificateResponse response) throws CertificateException {
        SpiffeId id = SpiffeId.parse(response.getSpiffeId());
        X509Svid svid = new X509Svid(id, keys.getPrivate(), ApiMessages.certificates(response.getCertificateChainList()));
        TrustBundle bundle = bundleOf(response.getBundle());
        check(svid, keys, bundle, clock);
        return new WorkloadIdentity(controlPlane, clock, response.getWorkload(), svid, bundle);
    }

    private static void check(X509Svid svid, KeyPair keys, TrustBundle bundle, InstantSource clock) throws CertificateException {
        if (!svid.leaf().getPublicKey().equals(keys.getPublic())) {
            throw new CertificateException("the certificate is not for our key");
        }
        verify(svid, bundle, clock);
    }

    /** Checks that the SVID verifies against the bundle now and names the identity it claims. */
    static void verify(X509Svid svid, TrustBundle bundle, InstantSource clock) throws CertificateException {
        var verification = X509SvidVerifier.verify(svid.chain(), bundle, svid.id().trustDomain(),
                X509SvidVerifier.Role.CLIENT, clock.instant(), Set.of());
        if (verification instanceof X509SvidVerifier.Verification.Rejected rejected) {
            throw new CertificateException("the SVID does not verify against the bundle: " + rejected.reason());
        }
        if (!((X509SvidVerifier.Verification.Verified) verification).id().equals(svid.id())) {
            throw new CertificateException("the certificate names another identity than the answer");
        }
    }

    /** The SVID request itself; the CSR for renewal names the identity we hold. */
    private static SignCertificateResponse sign(ManagedChannel channel, SignCertificateRequest request) {
        return IdentityServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .signCertificate(request);
    }

    static TrustBundle bundleOf(dev.aimesh.api.v1.TrustBundle message) throws CertificateException {
        return new TrustBundle(message.getVersion(), ApiMessages.certificates(message.getRootsList()));
    }

    /** Renews at half-life from now on. */
    public void startRenewal() {
        schedule(Duration.between(clock.instant(), svid.get().renewAt()));
    }

    private void schedule(Duration delay) {
        if (!closed) {
            scheduler.schedule(this::renew, Math.max(0, delay.toMillis()), TimeUnit.MILLISECONDS);
        }
    }

    /** The scheduled renewal: on failure retries with backoff, never waiting past the current SVID's expiry. */
    private void renew() {
        if (closed) {
            return;
        }
        X509Svid current = svid.get();
        try {
            X509Svid renewed = renewNow();
            schedule(Duration.between(clock.instant(), renewed.renewAt()));
        } catch (RenewalException e) {
            renewalFailures.incrementAndGet();
            Duration wait = backoff.next();
            Duration left = Duration.between(clock.instant(), current.expiresAt());
            if (wait.compareTo(left) > 0) {
                wait = left.isNegative() ? Duration.ofSeconds(1) : left.dividedBy(2);
            }
            log.warn("renewing the SVID of {} failed ({}); retrying in {} ms, it expires at {}", current.id(),
                    e.getMessage(), wait.toMillis(), current.expiresAt());
            schedule(wait);
        }
    }

    /** Renews now over mTLS with a fresh key; the reason of a failure is in the exception's message. */
    public X509Svid renewNow() throws RenewalException {
        X509Svid current = svid.get();
        try {
            KeyPair keys = Keys.newP256();
            SignCertificateResponse response = sign(channel, SignCertificateRequest.newBuilder()
                    .setCsr(ByteString.copyFrom(SvidRequest.der(keys, Optional.of(current.id())))).build());
            updateBundle(bundleOf(response.getBundle()));
            X509Svid renewed = new X509Svid(current.id(), keys.getPrivate(),
                    ApiMessages.certificates(response.getCertificateChainList()));
            check(renewed, keys, bundle.get(), clock);
            svid.set(renewed);
            // The control plane verifies the certificate of the connection on every call, and that is the SVID
            // of its handshake: the next calls go over a new connection presenting the renewed one (calls in
            // flight, such as the config stream, finish on the old).
            channel.enterIdle();
            backoff.reset();
            log.info("renewed the SVID of {}; it expires at {}", current.id(), renewed.expiresAt());
            listeners.forEach(l -> l.accept(renewed));
            return renewed;
        } catch (StatusRuntimeException e) {
            throw new RenewalException(describe(e, controlPlane), e);
        } catch (CertificateException | RuntimeException e) {
            throw new RenewalException("the renewal failed: " + e, e);
        }
    }

    /** Takes a newer trust bundle (from the config stream or a renewal); older ones are ignored. */
    public void updateBundle(TrustBundle next) {
        bundle.accumulateAndGet(next, (a, b) -> b.version() > a.version() ? b : a);
    }

    /** How many scheduled renewals have failed so far (each is retried). */
    public long renewalFailures() {
        return renewalFailures.get();
    }

    public void onSvidChange(Consumer<X509Svid> listener) {
        listeners.add(listener);
    }

    public X509Svid svid() {
        return svid.get();
    }

    public TrustBundle bundle() {
        return bundle.get();
    }

    public TrustDomain trustDomain() {
        return trustDomain;
    }

    /** The workload this identity belongs to, as {@code namespace/name}. */
    public String workload() {
        return workload;
    }

    /** The mTLS channel to the control plane, for the config stream. */
    public ManagedChannel channel() {
        return channel;
    }

    public Instant expiresAt() {
        return svid.get().expiresAt();
    }

    public List<X509Certificate> chain() {
        return svid.get().chain();
    }

    static String describe(StatusRuntimeException e, InetSocketAddress controlPlane) {
        Status status = e.getStatus();
        String detail = status.getDescription() != null ? status.getDescription()
                : status.getCause() != null ? rootMessage(status.getCause()) : status.getCode().toString();
        return switch (status.getCode()) {
            case UNAVAILABLE -> "cannot reach the control plane at " + hostPort(controlPlane) + " (" + detail + ")";
            case DEADLINE_EXCEEDED -> "the control plane at " + hostPort(controlPlane) + " did not answer in time";
            case PERMISSION_DENIED, UNAUTHENTICATED -> "the control plane refused: " + detail;
            default -> "the control plane answered " + status.getCode() + ": " + detail;
        };
    }

    private static String rootMessage(Throwable t) {
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }

    static String hostPort(InetSocketAddress a) {
        return a.getHostString() + ":" + a.getPort();
    }

    @Override
    public void close() {
        closed = true;
        scheduler.shutdownNow();
        channel.shutdownNow();
    }
}
