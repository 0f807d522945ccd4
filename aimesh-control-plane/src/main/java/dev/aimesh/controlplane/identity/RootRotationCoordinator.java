package dev.aimesh.controlplane.identity;

import java.time.InstantSource;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import dev.aimesh.controlplane.audit.AuditEvent;
import dev.aimesh.controlplane.audit.AuditLog;
import dev.aimesh.controlplane.grpc.ProxyConnections;
import dev.aimesh.identity.ca.CaCredential;
import dev.aimesh.identity.ca.CertificateAuthority;
import dev.aimesh.identity.ca.RootRotation;

/**
 * Drives a root rotation through its steps: the new root is published in the bundle; once every
 * connected proxy has acknowledged that bundle, the new root starts signing; once the last SVID of the
 * old root has expired, the old root leaves the bundle. {@link #tick} is called periodically and after
 * every acknowledgement; it returns whether the bundle changed (and must be pushed).
 */
public final class RootRotationCoordinator {
    private static final Logger log = LoggerFactory.getLogger(RootRotationCoordinator.class);

    private final CertificateAuthority ca;
    private final ProxyConnections connections;
    private final AuditLog audit;
    private final InstantSource clock;
    private volatile long preparedBundleVersion = -1;

    public RootRotationCoordinator(CertificateAuthority ca, ProxyConnections connections, AuditLog audit, InstantSource clock) {
        this.ca = ca;
        this.connections = connections;
        this.audit = audit;
        this.clock = clock;
        ca.rotation().filter(r -> r.phase() == RootRotation.Phase.PREPARED)
                .ifPresent(r -> preparedBundleVersion = ca.bundle().version());
    }

    /** Starts a rotation; one already in progress is refused saying until when it lasts, and why. */
    public synchronized RootRotation begin(Optional<CaCredential> supplied) {
        Optional<RootRotation> current = ca.rotation();
        if (current.isPresent()) {
            throw new IllegalStateException(inProgress(current.get()));
        }
        RootRotation rotation = ca.beginRootRotation(supplied);
        preparedBundleVersion = ca.bundle().version();
        log.info("root rotation started: {} joins the trust bundle (version {})", rotation.to(), preparedBundleVersion);
        audit.record(new AuditEvent(clock.instant(), "ca.rotation.started", AuditEvent.Outcome.INFO,
                Map.of("from", rotation.from(), "to", rotation.to(), "bundle_version", Long.toString(preparedBundleVersion))));
        return rotation;
    }

    private String inProgress(RootRotation r) {
        if (r.phase() == RootRotation.Phase.PREPARED) {
            long have = connections.all().stream().filter(p -> p.ackedBundleVersion() >= preparedBundleVersion).count();
            return "a root rotation is already in progress (since " + r.startedAt() + "): the new root " + r.to()
                    + " is in the trust bundle and starts signing once every connected proxy has acknowledged bundle version "
                    + preparedBundleVersion + " (" + have + " of " + connections.all().size() + " have; see aimesh get proxies);"
                    + " a new rotation can start once the old root " + r.from() + " has left the bundle";
        }
        return "a root rotation is already in progress (since " + r.startedAt() + "): the new root " + r.to() + " signs since "
                + r.switchedAt().map(Object::toString).orElse("?") + ", and the old root " + r.from()
                + " stays in the trust bundle until " + r.retireAt().map(Object::toString).orElse("?")
                + ", when the last certificate it signed has expired, so that no proxy holding one is cut off;"
                + " a new rotation can start after that";
    }

    /** Takes the next step if it is due; returns true when the trust bundle changed. */
    public synchronized boolean tick() {
        Optional<RootRotation> rotation = ca.rotation();
        if (rotation.isEmpty()) {
            return false;
        }
        RootRotation r = rotation.get();
        if (r.phase() == RootRotation.Phase.PREPARED && connections.allHaveBundle(preparedBundleVersion)) {
            RootRotation switched = ca.switchToNewRoot();
            log.info("every proxy has the new bundle: {} now signs; {} leaves the bundle at {}", switched.to(),
                    switched.from(), switched.retireAt().orElseThrow());
            audit.record(new AuditEvent(clock.instant(), "ca.rotation.switched", AuditEvent.Outcome.INFO,
                    Map.of("from", r.from(), "to", r.to(), "retire_at", switched.retireAt().orElseThrow().toString())));
            return false;
        }
        if (r.phase() == RootRotation.Phase.SWITCHED && ca.retireOldRootIfDue()) {
            log.info("root rotation complete: {} left the trust bundle", r.from());
            audit.record(new AuditEvent(clock.instant(), "ca.rotation.completed", AuditEvent.Outcome.INFO,
                    Map.of("retired", r.from(), "root", r.to(), "bundle_version", Long.toString(ca.bundle().version()))));
            return true;
        }
        return false;
    }
}
