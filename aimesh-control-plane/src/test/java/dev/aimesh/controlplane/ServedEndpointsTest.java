package dev.aimesh.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServedEndpointsTest {
    @TempDir
    Path dataDir;

    @Test
    void whatWasServedIsReadBackAfterARestartFromAFileOnlyItsOwnerCanRead() throws Exception {
        Map<String, List<String>> served = Map.of("models/model", List.of("127.0.0.1:4001", "127.0.0.1:4003"),
                "apps/app", List.of("127.0.0.1:4002"));

        ServedEndpoints.write(dataDir, served);

        assertThat(ServedEndpoints.read(dataDir)).isEqualTo(served);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir.resolve(ServedEndpoints.FILE))))
                .isEqualTo("rw-------");
        assertThat(dataDir.resolve("." + ServedEndpoints.FILE + ".tmp")).doesNotExist();
    }

    @Test
    void aNewerListReplacesTheOlderWhole() {
        ServedEndpoints.write(dataDir, Map.of("models/model", List.of("127.0.0.1:4001")));
        ServedEndpoints.write(dataDir, Map.of("apps/app", List.of("127.0.0.1:4002")));

        assertThat(ServedEndpoints.read(dataDir)).isEqualTo(Map.of("apps/app", List.of("127.0.0.1:4002")));
    }

    @Test
    void noFileOrAnUnreadableOneRemembersNothing() throws Exception {
        assertThat(ServedEndpoints.read(dataDir)).isEmpty();

        Files.writeString(dataDir.resolve(ServedEndpoints.FILE), "{\"models/model\": 42");

        assertThat(ServedEndpoints.read(dataDir)).isEmpty();
    }
}
