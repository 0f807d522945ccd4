package dev.aimesh.identity.ca;

import static java.util.Objects.requireNonNull;

import java.math.BigInteger;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import dev.aimesh.core.identity.SpiffeId;
import dev.aimesh.core.identity.TrustDomain;
import dev.aimesh.core.resource.Mesh;
import dev.aimesh.identity.x509.Fingerprints;
import dev.aimesh.identity.x509.SubjectAltNames;
import dev.aimesh.identity.x509.TrustBundle;

/**
 * The mesh's certificate authority: signs X.509-SVIDs, keeps the trust bundle, and rotates its root in
 * three steps so that no proxy ever meets a certificate it cannot verify:
 * {@link #beginRootRotation} (new root trusted, old still signs), {@link #switchToNewRoot} (new root
 * signs, old still trusted) and {@link #retireOldRootIfDue} (old root leaves once its last SVID expired).
 * Who decides when to take each step (every proxy has the new bundle) is the control plane's business.
 */
public final class CertificateAuthority {
    /** Slack for clocks that disagree a little, added before an old root leaves the bundle. */
    static final Duration RETIRE_SKEW = Duration.ofSeconds(30);
    private static final DateTimeFormatter ID_STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

    private final CaStore store;
    private final TrustDomain trustDomain;
    private final InstantSource clock;
    private final Duration rootLifetime;
    private final Map<String, Instant> lastExpiryByAuthority;
    private volatile Duration workloadLifetime;
    private volatile CaState state;
    /** What {@link #crossChainToOldRoot} returns, made once per switch; guarded by {@code this}. */
    private List<X509Certificate> crossChain = List.of();

    private CertificateAuthority(CaStore store, TrustDomain trustDomain, InstantSource clock,
            Mesh.Certificates certificates, CaState state) {
        this.store = store;
        this.trustDomain = trustDomain;
        this.clock = clock;
        this.rootLifetime = certificates.rootLifetime();
        this.workloadLifetime = certificates.workloadLifetime();
        this.state = state;
        this.lastExpiryByAuthority = new ConcurrentHashMap<>(store.lastExpiryByAuthority());
    }

    /**
     * Opens the CA kept in {@code store}, creating it on first start: from {@code supplied} (a root or an
     * intermediate the user brings as PEM) or else a new self-signed root.
     */
    public static CertificateAuthority open(CaStore store, TrustDomain trustDomain, Mesh.Certificates certificates,
            InstantSource clock, Optional<CaCredential> supplied) {
        requireNonNull(trustDomain, "trustDomain");
        Optional<CaState> existing = store.load();
        CaState state;
        if (existing.isPresent()) {
            state = existing.get();
            if (supplied.isPresent() && state.authorities().values().stream()
                    .noneMatch(a -> a.signingCertificate().equals(supplied.get().signingCertificate()))) {
                throw new CaStoreException(store.dir(), "this data directory already holds a different CA;"
                        + " use a new data directory to start from the supplied certificate, or rotate to it");
            }
            checkTrustDomain(store, state.signing(), trustDomain);
        } else {
            Instant now = clock.instant();
            CaCredential credential = supplied.orElseGet(() -> RootCertificates.create(trustDomain, now, certificates.rootLifetime()));
            String id = authorityId(supplied.isPresent() ? "supplied" : "root", credential, now);
            state = new CaState(Map.of(id, credential), id, List.of(id), 1, Optional.empty(), Set.of());
            store.save(state);
        }
        return new CertificateAuthority(store, trustDomain, clock, certificates, state);
    }

    private static void checkTrustDomain(CaStore store, CaCredential signing, TrustDomain trustDomain) {
        try {
            for (String uri : SubjectAltNames.uris(signing.root())) {
                SpiffeId.tryParse(uri).filter(id -> !id.memberOf(trustDomain)).ifPresent(id -> {
                    throw new CaStoreException(store.dir(), "the CA here belongs to trust domain " + id.trustDomain()
                            + " but the mesh is configured for " + trustDomain + "; use another data directory");
                });
            }
        } catch (CertificateParsingException e) {
            throw new CaStoreException(store.dir(), "the root certificate's names are damaged", e);
        }
    }

    private static String authorityId(String kind, CaCredential credential, Instant now) {
        return kind + "-" + ID_STAMP.format(now) + "-"
                + Fingerprints.spkiSha256(credential.signingCertificate()).substring(0, 8).replace('_', 'x').replace('-', 'y');
    }

    public TrustDomain trustDomain() {
        return trustDomain;
    }

    public TrustBundle bundle() {
        return state.bundle();
    }

    public CaState state() {
        return state;
    }

    public Set<BigInteger> revokedSerials() {
        return state.revoked();
    }

    public Duration workloadLifetime() {
        return workloadLifetime;
    }

    /** Takes effect for the next SVID issued; already issued ones keep their lifetime. */
    public void setWorkloadLifetime(Duration lifetime) {
        this.workloadLifetime = requireNonNull(lifetime, "lifetime");
    }

    /** Signs the CSR if it asks for exactly {@code granted}; records the certificate it issues. */
    public IssueDecision issue(byte[] csrDer, SpiffeId granted) {
        return issue(csrDer, granted, workloadLifetime);
    }

    public IssueDecision issue(byte[] csrDer, SpiffeId granted, Duration lifetime) {
        if (!granted.memberOf(trustDomain)) {
            return new IssueDecision.Refused(IssueDecision.Reason.IDENTITY_NOT_GRANTED,
                    granted + " is not in trust domain " + trustDomain);
        }
        CaState current = state;
        IssueDecision decision = SvidIssuer.issue(
                new SvidIssuer.Request(csrDer, granted, lifetime, clock.instant()), current.signing());
        if (decision instanceof IssueDecision.Issued issued) {
            store.recordIssued(issued.leaf(), granted, current.signingId());
            lastExpiryByAuthority.merge(current.signingId(), issued.leaf().getNotAfter().toInstant(),
                    (a, b) -> a.isAfter(b) ? a : b);
        }
        return decision;
    }

    public Optional<RootRotation> rotation() {
        return state.rotation();
    }

    /**
     * Step 1: a new root joins the bundle (bundle version + 1) while the current one keeps signing.
     * With {@code supplied}, the new authority is the user's PEM instead of a generated root.
     */
    public synchronized RootRotation beginRootRotation(Optional<CaCredential> supplied) {
        CaState s = state;
        if (s.rotation().isPresent()) {
            throw new IllegalStateException("a root rotation is already in progress (" + s.rotation().get().phase()
                    + " since " + s.rotation().get().startedAt() + ")");
        }
        Instant now = clock.instant();
        CaCredential next = supplied.orElseGet(() -> RootCertificates.create(trustDomain, now, rootLifetime));
        String id = authorityId(supplied.isPresent() ? "supplied" : "root", next, now);
        Map<String, CaCredential> authorities = new LinkedHashMap<>(s.authorities());
        authorities.put(id, next);
        List<String> bundle = new ArrayList<>(s.bundleIds());
        bundle.add(id);
        RootRotation rotation = new RootRotation(s.signingId(), id, RootRotation.Phase.PREPARED, now,
                Optional.empty(), Optional.empty());
        commit(new CaState(authorities, s.signingId(), bundle, s.bundleVersion() + 1, Optional.of(rotation), s.revoked()));
        return rotation;
    }

    /**
     * Step 2: the new root signs. The old one stays trusted until the last SVID it signed has expired.
     */
    public synchronized RootRotation switchToNewRoot() {
        CaState s = state;
        RootRotation rotation = s.rotation().filter(r -> r.phase() == RootRotation.Phase.PREPARED)
                .orElseThrow(() -> new IllegalStateException("no root rotation is waiting to switch"));
        Instant now = clock.instant();
        Instant lastOld = lastExpiryByAuthority.getOrDefault(rotation.from(), now);
        Instant retireAt = (lastOld.isAfter(now) ? lastOld : now).plus(RETIRE_SKEW);
        RootRotation switched = rotation.switched(now, retireAt);
        commit(new CaState(s.authorities(), rotation.to(), s.bundleIds(), s.bundleVersion(), Optional.of(switched), s.revoked()));
        return switched;
    }

    /**
     * While the old root is still in the bundle after the switch: the new root certified by the old authority,
     * then the old authority's chain to its root. Appended to the control plane's own serving chain, it lets a
     * party that trusts only the old root (a join token made before the rotation pins only that one; a proxy
     * resuming from a state directory kept an old bundle) authenticate the control plane, whose certificate
     * the new root signs, and so learn the new bundle. Empty in any other phase, and when the new authority
     * has the old one's root. The old root signs nothing else after the switch; this certificate ends
     * {@link #RETIRE_SKEW} after the old root leaves the bundle (by then the control plane presents a chain
     * without it: the slack only spares the moment between the retirement being due and taking place).
     */
    public synchronized List<X509Certificate> crossChainToOldRoot() {
        Optional<RootRotation> rotation = state.rotation().filter(r -> r.phase() == RootRotation.Phase.SWITCHED);
        if (rotation.isEmpty()) {
            crossChain = List.of();
            return crossChain;
        }
        RootRotation r = rotation.get();
        X509Certificate newRoot = state.signing().root();
        CaCredential old = state.authorities().get(r.from());
        if (old.root().equals(newRoot)) {
            crossChain = List.of();
            return crossChain;
        }
        if (crossChain.isEmpty() || !crossChain.get(0).getPublicKey().equals(newRoot.getPublicKey())) {
            Instant notAfter = earliest(r.retireAt().orElseThrow().plus(RETIRE_SKEW), old.notAfter(),
                    newRoot.getNotAfter().toInstant());
            List<X509Certificate> chain = new ArrayList<>();
            chain.add(CrossCertificates.certify(newRoot, old, clock.instant(), notAfter));
            chain.addAll(old.chain());
            crossChain = List.copyOf(chain);
        }
        return crossChain;
    }

    private static Instant earliest(Instant first, Instant... others) {
        Instant earliest = first;
        for (Instant other : others) {
            earliest = other.isBefore(earliest) ? other : earliest;
        }
        return earliest;
    }

    /** Step 3: once due, the old root leaves the bundle (bundle version + 1). Returns whether it did. */
    public synchronized boolean retireOldRootIfDue() {
        CaState s = state;
        Optional<RootRotation> rotation = s.rotation().filter(r -> r.phase() == RootRotation.Phase.SWITCHED);
        if (rotation.isEmpty() || clock.instant().isBefore(rotation.get().retireAt().orElseThrow())) {
            return false;
        }
        String old = rotation.get().from();
        Map<String, CaCredential> authorities = new LinkedHashMap<>(s.authorities());
        authorities.remove(old);
        List<String> bundle = s.bundleIds().stream().filter(id -> !id.equals(old)).toList();
        commit(new CaState(authorities, s.signingId(), bundle, s.bundleVersion() + 1, Optional.empty(), s.revoked()));
        return true;
    }

    public synchronized void revoke(BigInteger serial) {
        commit(state.withRevoked(serial));
    }

    private void commit(CaState next) {
        store.save(next);
        state = next;
    }
}
