package dev.aimesh.controlplane.identity;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import dev.aimesh.core.identity.TrustDomain;
import dev.aimesh.core.resource.Mesh;
import dev.aimesh.identity.ca.CaStore;
import dev.aimesh.identity.ca.CertificateAuthority;
import dev.aimesh.identity.ca.RootRotation;

class ServingCertificateTest {
    @TempDir
    Path dir;
    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-01T10:00:00Z"));
    private final InstantSource clock = now::get;

    @Test
    void carriesTheNewRootCertifiedByTheOldOneFromTheSwitchUntilTheOldRootLeaves() {
        CertificateAuthority ca = CertificateAuthority.open(new CaStore(dir.resolve("ca")), TrustDomain.parse("example.org"),
                new Mesh.Certificates(Duration.ofHours(1), Duration.ofDays(30)), clock, Optional.empty());
        ServingCertificate serving = new ServingCertificate(ca, clock);
        X509Certificate oldRoot = ca.state().signing().root();
        assertThat(serving.current().chain()).hasSize(2).last().isEqualTo(oldRoot);

        ca.beginRootRotation(Optional.empty());
        assertThat(serving.renewalDue()).as("the old root still signs").isFalse();

        now.set(now.get().plusSeconds(60));
        RootRotation switched = ca.switchToNewRoot();
        assertThat(serving.renewalDue()).isTrue();
        serving.renew();
        List<X509Certificate> chain = serving.current().chain();
        assertThat(chain).hasSize(4);
        assertThat(chain.get(0).getIssuerX500Principal()).isEqualTo(ca.state().signing().root().getSubjectX500Principal());
        assertThat(chain.get(1)).isEqualTo(ca.state().signing().root());
        assertThat(chain.subList(2, 4)).isEqualTo(ca.crossChainToOldRoot()).last().isEqualTo(oldRoot);
        assertThat(serving.renewalDue()).isFalse();

        Instant retireAt = switched.retireAt().orElseThrow();
        now.set(retireAt.minusSeconds(60));
        serving.renew(); // half-life: the renewed chain still carries the cross chain
        assertThat(serving.current().chain()).hasSize(4);
        now.set(retireAt);
        assertThat(ca.retireOldRootIfDue()).isTrue();
        assertThat(serving.renewalDue()).as("the cross chain is gone with the old root").isTrue();
        serving.renew();
        assertThat(serving.current().chain()).hasSize(2).last().isEqualTo(ca.state().signing().root());
        assertThat(serving.renewalDue()).isFalse();
    }
}
