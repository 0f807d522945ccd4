package dev.aimesh.controlplane.config;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Re-reads a config directory when its contents change. Polling the content (not file events) works
 * the same on every file system and for editors that replace files; a change is read once it has
 * stayed put for one interval, so a burst of saves becomes one reload.
 */
public final class ConfigWatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConfigWatcher.class);

    private final ConfigDirectory directory;
    private final Consumer<ConfigDirectory.Reading> onChange;
    private final ScheduledExecutorService scheduler;
    private String applied;
    private String pending;

    public ConfigWatcher(ConfigDirectory directory, String appliedFingerprint, Consumer<ConfigDirectory.Reading> onChange,
            Duration interval) {
        this.directory = directory;
        this.onChange = onChange;
        this.applied = appliedFingerprint;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("config-watcher").factory());
        scheduler.scheduleWithFixedDelay(this::poll, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void poll() {
        try {
            ConfigDirectory.Reading reading = directory.read();
            String seen = reading.fingerprint();
            if (seen.equals(applied)) {
                pending = null;
            } else if (seen.equals(pending)) {
                applied = seen;
                pending = null;
                onChange.accept(reading);
            } else {
                pending = seen; // changed since last look: wait one interval for it to settle
            }
        } catch (RuntimeException e) {
            log.warn("cannot read the config directory {}: {}", directory.root(), e.getMessage());
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
