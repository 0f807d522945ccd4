package dev.aimesh.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataDirectoryLockTest {
    @TempDir
    Path dir;

    @Test
    void aSecondHolderIsRefusedNamingTheFirstsPidUntilItLetsGo() throws Exception {
        long pid = ProcessHandle.current().pid();
        try (DataDirectoryLock first = DataDirectoryLock.acquire(dir)) {
            assertThat(Files.readString(dir.resolve(DataDirectoryLock.FILE)).strip()).isEqualTo(Long.toString(pid));
            assertThatThrownBy(() -> DataDirectoryLock.acquire(dir)).isInstanceOf(DataDirectoryLockedException.class)
                    .hasMessage(dir + " is in use by another control plane (PID " + pid + "); stop it first, or use another --data-dir");
        }
        DataDirectoryLock.acquire(dir).close();
    }
}
