package dev.aimesh.controlplane;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import dev.aimesh.controlplane.admin.AdminRefusals;
import dev.aimesh.controlplane.admin.AdminRoutes;
import dev.aimesh.controlplane.admin.AdminServer;
import dev.aimesh.controlplane.admin.AdminToken;
import dev.aimesh.controlplane.audit.AuditEvent;
import dev.aimesh.controlplane.audit.HashChainedAuditLog;
import dev.aimesh.controlplane.audit.ReportedEvents;
import dev.aimesh.controlplane.config.ConfigDirectory;
import dev.aimesh.controlplane.config.ConfigWatcher;
import dev.aimesh.controlplane.grpc.AuditGrpcService;
import dev.aimesh.controlplane.grpc.ConfigGrpcService;
import dev.aimesh.controlplane.grpc.GrpcServer;
import dev.aimesh.controlplane.grpc.IdentityGrpcService;
import dev.aimesh.controlplane.grpc.MeshView;
import dev.aimesh.controlplane.grpc.ProxyConnections;
import dev.aimesh.controlplane.identity.RootRotationCoordinator;
import dev.aimesh.controlplane.identity.ServingCertificate;
import dev.aimesh.controlplane.tokens.JoinTokenStore;
import dev.aimesh.core.config.Diagnostic;
import dev.aimesh.core.config.Position;
import dev.aimesh.core.identity.JoinToken;
import dev.aimesh.core.identity.SpiffeId;
import dev.aimesh.core.registry.ConfigSnapshot;
import dev.aimesh.core.registry.RestartGrace;
import dev.aimesh.core.resource.ConfigLoader;
import dev.aimesh.core.resource.MeshConfig;
import dev.aimesh.core.resource.Workload;
import dev.aimesh.identity.ca.CaCredential;
import dev.aimesh.identity.ca.CaStore;
import dev.aimesh.identity.ca.CertificateAuthority;
import dev.aimesh.identity.ca.RootRotation;
import dev.aimesh.identity.x509.Fingerprints;
import dev.aimesh.identity.x509.Keys;
import dev.aimesh.identity.x509.Pem;
import dev.aimesh.identity.x509.TrustBundle;

/**
 * A running control plane: CA, join tokens, config directory, gRPC for proxies, admin API for the CLI.
 * A config change that has any problem is refused whole and the running config stays.
 */
public final class ControlPlane implements MeshView, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ControlPlane.class);

    private final ControlPlaneOptions options;
    private final DataDirectoryLock lock;
    private final HashChainedAuditLog audit;
    private final AdminToken adminToken;
    private final CertificateAuthority ca;
    private final JoinTokenStore tokens;
    private final ServingCertificate serving;
    private final ProxyConnections connections = new ProxyConnections();
    private final RootRotationCoordinator rotation;
    private final ConfigGrpcService configService;
    private final ReportedEvents reportedEvents;
    private final AtomicReference<MeshConfig> config = new AtomicReference<>();
    private final AtomicReference<List<ConfigLoader.SourceFile>> sources = new AtomicReference<>(List.of());
    private final AtomicReference<ConfigSnapshot> snapshot = new AtomicReference<>();
    private final AtomicLong configVersion = new AtomicLong();
    private final AtomicReference<List<Diagnostic>> lastRejection = new AtomicReference<>(List.of());
    private final GrpcServer grpc;
    private final AdminServer admin;
    private final ConfigWatcher watcher;
    private final ScheduledExecutorService ticker;
    private final RestartGrace restartGrace;
    /** The endpoints last written to {@link ServedEndpoints}; guarded by {@code this}. */
    private Map<String, List<String>> served = Map.of();

    private ControlPlane(ControlPlaneOptions options, DataDirectoryLock lock, ConfigDirectory directory,
            ConfigDirectory.Reading initial) {
        this.options = options;
        this.lock = lock;
        MeshConfig meshConfig = initial.config();
        this.audit = new HashChainedAuditLog(options.dataDir().resolve("audit").resolve("audit.log"),
                options.onBrokenAuditChain(), options.clock());
        try {
            this.ca = CertificateAuthority.open(new CaStore(options.dataDir().resolve("ca")), meshConfig.mesh().trustDomain(),
                    meshConfig.mesh().certificates(), options.clock(), options.suppliedCa().map(ControlPlane::readSuppliedCa));
            this.tokens = new JoinTokenStore(options.dataDir().resolve("tokens.jsonl"), options.clock());
            this.serving = new ServingCertificate(ca, options.clock());
            this.rotation = new RootRotationCoordinator(ca, connections, audit, options.clock());
            this.restartGrace = startGrace(options);
            apply(initial);
            this.configService = new ConfigGrpcService(this, connections, audit, options.clock());
            this.ticker = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("control-plane-tick").factory());
            connections.onEndpointsChange(this::endpointsChanged);
            IdentityGrpcService identityService = new IdentityGrpcService(ca, tokens, this, audit, options.clock());
            this.reportedEvents = new ReportedEvents(audit, options.clock(), ReportedEvents.Limits.DEFAULT);
            this.grpc = new GrpcServer(options.grpcListen(), ca, serving, meshConfig.mesh().trustDomain(), options.clock(), audit,
                    identityService, configService, new AuditGrpcService(reportedEvents));
            this.adminToken = AdminToken.create(options.dataDir(), new SecureRandom());
            this.admin = new AdminServer(options.adminListen(), AdminRoutes.of(this), adminToken,
                    new AdminRefusals(audit, options.clock()));
            Endpoints.write(options.dataDir(), grpc.address(), admin.address());
            this.watcher = new ConfigWatcher(directory, initial.fingerprint(), this::reload,
                    options.pollInterval());
            // Scheduled even when the grace ended during a slow start: graceEnded drops what is no longer served.
            scheduleGraceEnd();
            ticker.scheduleWithFixedDelay(this::tick, options.pollInterval().toMillis(), options.pollInterval().toMillis(),
                    TimeUnit.MILLISECONDS);
            audit.record(new AuditEvent(options.clock().instant(), "control-plane.started", AuditEvent.Outcome.INFO, Map.of(
                    "trust_domain", trustDomain(), "grpc", grpc.address().toString(), "bundle_version",
                    Long.toString(ca.bundle().version()))));
        } catch (RuntimeException e) {
            audit.close(); // its lock, so that a start after this failure may write it
            throw e;
        }
        log.info("control plane for trust domain {} serving gRPC on {} and the admin API on {}", trustDomain(),
                hostPort(grpc.address()), hostPort(admin.address()));
    }

    /**
     * Starts a control plane; a config with problems is refused with every problem listed, a data directory
     * another control plane holds with {@link DataDirectoryLockedException}, a broken audit chain with
     * {@link dev.aimesh.controlplane.audit.BrokenAuditChainException}.
     */
    public static ControlPlane start(ControlPlaneOptions options) {
        ConfigDirectory directory = new ConfigDirectory(options.configDir());
        ConfigDirectory.Reading reading = directory.read();
        if (!reading.ok()) {
            throw new ConfigRejectedException(reading.problems());
        }
        DataDirectoryLock lock = DataDirectoryLock.acquire(options.dataDir());
        try {
            return new ControlPlane(options, lock, directory, reading);
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    private void reload(ConfigDirectory.Reading reading) {
        List<Diagnostic> problems = new java.util.ArrayList<>(reading.problems());
        MeshConfig next = reading.config();
        trustDomainChange(next).ifPresent(problems::add);
        if (!problems.isEmpty()) {
            lastRejection.set(List.copyOf(problems));
            log.warn("config change refused, the running config stays:\n  {}",
                    String.join("\n  ", problems.stream().map(Diagnostic::toString).toList()));
            audit.record(new AuditEvent(options.clock().instant(), "config.rejected", AuditEvent.Outcome.DENIED,
                    Map.of("problems", Integer.toString(problems.size()), "first", problems.get(0).toString())));
            return;
        }
        lastRejection.set(List.of());
        apply(reading);
        log.info("config version {} applied: {} workload(s)", configVersion.get(), next.workloads().size());
        configService.publish();
    }

    /** The CA belongs to one trust domain: a config that names another cannot be applied. */
    private Optional<Diagnostic> trustDomainChange(MeshConfig next) {
        return next.mesh().trustDomain().equals(ca.trustDomain()) ? Optional.empty()
                : Optional.of(new Diagnostic(next.mesh().position(), "spec.trustDomain", "the trust domain cannot change while"
                        + " the control plane runs (it is " + ca.trustDomain() + "); use a new data directory for a new mesh"));
    }

    private void apply(ConfigDirectory.Reading reading) {
        MeshConfig next = reading.config();
        config.set(next);
        sources.set(reading.sources());
        ca.setWorkloadLifetime(next.mesh().certificates().workloadLifetime());
        rebuildSnapshot();
    }

    private void endpointsChanged() {
        try {
            ticker.execute(() -> {
                rebuildSnapshot();
                configService.publish();
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // shutting down: proxies leaving need no new snapshot
        }
    }

    /** What was served before this start counts for workloads whose proxies have not rejoined, for a while. */
    private static RestartGrace startGrace(ControlPlaneOptions options) {
        Map<String, List<String>> before = ServedEndpoints.read(options.dataDir());
        if (before.isEmpty()) {
            return RestartGrace.none(options.clock().instant());
        }
        log.info("serving the endpoints of {} workload(s) from before the restart until their proxies rejoin, for {} s at most",
                before.size(), options.restartGrace().toSeconds());
        return new RestartGrace(before, options.clock().instant(), options.restartGrace());
    }

    private void scheduleGraceEnd() {
        long wait = Math.max(0, Duration.between(options.clock().instant(), restartGrace.ends()).toMillis()) + 1;
        try {
            ticker.schedule(this::graceEnded, wait, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // shutting down: no grace to end
        }
    }

    /** The endpoints of proxies that have not rejoined since the restart are dropped now. */
    private void graceEnded() {
        if (options.clock().instant().isBefore(restartGrace.ends())) {
            scheduleGraceEnd(); // woken before the grace's end by the clock (one that runs slower than the scheduler's)
            return;
        }
        boolean changed;
        synchronized (this) {
            changed = !restartGrace.serve(connections.endpoints(), options.clock().instant()).equals(served);
        }
        if (changed) {
            log.info("restart grace over: workloads whose proxies have not rejoined have no endpoints now");
            rebuildSnapshot();
            configService.publish();
        }
    }

    /**
     * A new snapshot version from the current config and the endpoints of connected proxies (and, during the
     * restart grace, of those not rejoined yet). What is served is remembered on disk for the next restart.
     */
    private synchronized void rebuildSnapshot() {
        Map<String, List<String>> endpoints = restartGrace.serve(connections.endpoints(), options.clock().instant());
        if (!endpoints.equals(served)) {
            try {
                ServedEndpoints.write(options.dataDir(), endpoints);
            } catch (java.io.UncheckedIOException e) {
                log.warn("{}; a restart will serve connected proxies only until they rejoin", e.getMessage());
            }
            served = endpoints;
        }
        snapshot.set(ConfigSnapshot.of(Long.toString(configVersion.incrementAndGet()), config.get(), endpoints));
    }

    private void tick() {
        try {
            boolean bundleChanged = rotation.tick();
            if (serving.renewalDue()) {
                serving.renew();
            }
            if (bundleChanged) {
                configService.publish();
            }
        } catch (RuntimeException e) {
            log.error("periodic control-plane work failed", e);
        }
    }

    private static CaCredential readSuppliedCa(ControlPlaneOptions.SuppliedCa supplied) {
        try {
            List<X509Certificate> chain = Pem.parseCertificates(Files.readString(supplied.certificateChain()));
            var key = Pem.parsePrivateKey(Files.readString(supplied.key()));
            if (!Keys.matches(key, chain.get(0).getPublicKey())) {
                throw new IllegalArgumentException(supplied.key() + ": the key does not belong to the first certificate of "
                        + supplied.certificateChain());
            }
            X509Certificate root = chain.get(chain.size() - 1);
            if (!root.getSubjectX500Principal().equals(root.getIssuerX500Principal())) {
                throw new IllegalArgumentException(supplied.certificateChain() + ": the chain must end with its self-signed root");
            }
            if (chain.get(0).getBasicConstraints() < 0) {
                throw new IllegalArgumentException(supplied.certificateChain() + ": the first certificate is not a CA certificate");
            }
            return new CaCredential(key, chain);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the supplied CA: " + e.getMessage(), e);
        } catch (CertificateException e) {
            throw new IllegalArgumentException("the supplied CA is not valid PEM: " + e.getMessage(), e);
        }
    }

    /** Starts a root rotation and pushes the bundle with the new root to every proxy at once. */
    public RootRotation beginRootRotation(Optional<CaCredential> supplied) {
        RootRotation started = rotation.begin(supplied);
        configService.publish();
        return started;
    }

    /** A token for one workload, as the admin API and the CLI return it. */
    public record TokenGrant(String token, String workload, SpiffeId spiffeId, Instant expiresAt) {}

    public TokenGrant createToken(String workloadRef, Duration ttl) {
        MeshConfig current = config.get();
        Workload workload = current.workload(workloadRef).orElseThrow(() -> new IllegalArgumentException(
                "no workload '" + workloadRef + "' in the config (known: " + String.join(", ",
                        current.workloads().stream().map(w -> w.namespace() + "/" + w.name()).toList()) + ")"));
        List<String> pins = ca.bundle().roots().stream().map(Fingerprints::spkiSha256).toList();
        String ref = workload.namespace() + "/" + workload.name();
        JoinToken token = tokens.create(ref, ttl, pins);
        Instant expiresAt = tokens.expiresAt(token.id());
        audit.record(new AuditEvent(options.clock().instant(), "token.created", AuditEvent.Outcome.INFO,
                Map.of("token_id", token.id(), "workload", ref, "expires_at", expiresAt.toString())));
        return new TokenGrant(token.toString(), ref, current.spiffeIdOf(workload), expiresAt);
    }

    @Override
    public ConfigSnapshot snapshot() {
        return snapshot.get();
    }

    @Override
    public TrustBundle bundle() {
        return ca.bundle();
    }

    @Override
    public String trustDomain() {
        return ca.trustDomain().name();
    }

    public MeshConfig config() {
        return config.get();
    }

    /** The accepted config files as read (what {@link #config} was decoded from), for operators. */
    public List<ConfigLoader.SourceFile> sources() {
        return sources.get();
    }

    private static final java.util.regex.Pattern FILE_NAME = java.util.regex.Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,100}\\.ya?ml");

    /**
     * Validates one config file as if it were in the config directory (replacing the file of that name) and,
     * when the whole config is then still valid, writes it there, where the watcher picks it up. Every
     * problem is returned; nothing is written when there is one.
     */
    public synchronized List<Diagnostic> applyFile(String name, String text) {
        if (!FILE_NAME.matcher(name).matches()) {
            return List.of(new Diagnostic(Position.unknown(name), "", "the file name must be NAME.yaml (letters, digits,"
                    + " '.', '-', '_'; no folders)"));
        }
        // The files as they are, read but not decoded: decoding them with the new one finds every problem once.
        ConfigDirectory.Scan current = new ConfigDirectory(options.configDir()).scan();
        List<ConfigLoader.SourceFile> sources = new java.util.ArrayList<>(current.sources().stream()
                .filter(f -> !f.name().equals(name)).toList());
        sources.add(new ConfigLoader.SourceFile(name, text));
        MeshConfig.Assembled assembled = ConfigLoader.assemble(sources);
        List<Diagnostic> problems = new java.util.ArrayList<>(assembled.problems());
        problems.addAll(current.problems().stream().filter(d -> !d.position().file().equals(name)).toList());
        trustDomainChange(assembled.config()).ifPresent(problems::add);
        if (!problems.isEmpty()) {
            return List.copyOf(problems);
        }
        try {
            java.nio.file.Path target = options.configDir().resolve(name);
            java.nio.file.Path temporary = options.configDir().resolve("." + name + ".applying");
            java.nio.file.Files.writeString(temporary, text);
            java.nio.file.Files.move(temporary, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (java.io.IOException e) {
            return List.of(new Diagnostic(Position.unknown(name), "", "cannot write it to " + options.configDir() + ": " + e.getMessage()));
        }
        audit.record(new AuditEvent(options.clock().instant(), "config.applied", AuditEvent.Outcome.INFO, Map.of("file", name)));
        return List.of();
    }

    /** The problems of the last config change that was refused; empty once a change is applied. */
    public List<Diagnostic> lastRejection() {
        return lastRejection.get();
    }

    public CertificateAuthority ca() {
        return ca;
    }

    public ProxyConnections connections() {
        return connections;
    }

    public ServingCertificate servingCertificate() {
        return serving;
    }

    public Path dataDir() {
        return options.dataDir();
    }

    /** {@code <data-dir>/admin-token}: the bearer token of the admin API, readable by its owner only. */
    public Path adminTokenFile() {
        return adminToken.file();
    }

    public Path auditLog() {
        return audit.file();
    }

    /** Security events from proxies refused since start (over the per-proxy limits). */
    public long refusedSecurityEvents() {
        return reportedEvents.refused();
    }

    public java.net.InetSocketAddress grpcAddress() {
        return grpc.address();
    }

    public java.net.InetSocketAddress adminAddress() {
        return admin.address();
    }

    public static String hostPort(java.net.InetSocketAddress address) {
        return address.getAddress().getHostAddress() + ":" + address.getPort();
    }

    @Override
    public void close() {
        ticker.shutdownNow();
        watcher.close();
        admin.close();
        grpc.close();
        tokens.close();
        audit.record(new AuditEvent(options.clock().instant(), "control-plane.stopped", AuditEvent.Outcome.INFO, Map.of()));
        audit.close();
        lock.close();
    }

}
