package dev.aimesh.proxy.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import dev.aimesh.core.identity.JoinToken;
import dev.aimesh.core.registry.ConfigSnapshot;

class EnrollmentTest {
    private static final Path DIR = Path.of("/var/lib/aimesh/model");
    private static final Optional<JoinToken> TOKEN = Optional.of(new JoinToken("tokenid01", "secret0001", List.of("a".repeat(43))));
    private static final StateDirectory.Stored.Usable USABLE = new StateDirectory.Stored.Usable(DIR, "models/model",
            StateDirectoryTest.svid(java.time.Duration.ofHours(1)), new dev.aimesh.identity.x509.TrustBundle(1, List.of()),
            new ConfigSnapshot("v1", List.of()));

    @Test
    void aValidStateWinsOverATokenWhichIsSaidToBeUnused() {
        assertThat(Enrollment.decide(USABLE, TOKEN)).isInstanceOfSatisfying(Enrollment.Resume.class, resume -> {
            assertThat(resume.state()).isSameAs(USABLE);
            assertThat(resume.why()).contains("the join token given is not used");
        });
    }

    @Test
    void withoutStateTheTokenJoinsAndWithoutEitherItIsRefused() {
        var empty = new StateDirectory.Stored.Empty(DIR + " holds no snapshot yet");
        assertThat(Enrollment.decide(empty, TOKEN)).isInstanceOf(Enrollment.Join.class);
        assertThat(Enrollment.decide(empty, Optional.empty()))
                .isEqualTo(new Enrollment.Refused("a join token is required: " + DIR + " holds no snapshot yet"));
    }

    @Test
    void anExpiredStateNeedsATokenAndTheRefusalNamesTheFileAndTheExpiry() {
        var expired = new StateDirectory.Stored.Expired(DIR.resolve("svid.pem"), Instant.parse("2026-01-02T03:04:05Z"));
        assertThat(Enrollment.decide(expired, TOKEN)).isInstanceOf(Enrollment.Join.class);
        assertThat(Enrollment.decide(expired, Optional.empty())).isInstanceOfSatisfying(Enrollment.Refused.class,
                r -> assertThat(r.reason()).contains(DIR.resolve("svid.pem").toString(), "2026-01-02T03:04:05Z", "join token"));
    }

    @Test
    void aCorruptStateIsRefusedEvenWithAToken() {
        var corrupt = new StateDirectory.Stored.Unusable(DIR.resolve("snapshot.json"), "not valid JSON");
        assertThat(Enrollment.decide(corrupt, TOKEN)).isInstanceOfSatisfying(Enrollment.Refused.class,
                r -> assertThat(r.reason()).startsWith(DIR.resolve("snapshot.json") + ": not valid JSON").contains("remove " + DIR));
    }
}
