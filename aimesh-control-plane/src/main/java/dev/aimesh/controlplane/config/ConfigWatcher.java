package dev.aimesh.controlplane.config;

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_DELETE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Re-reads a config directory when its contents change. File events (inotify on Linux) make a change
 * take effect within {@link #EVENT_QUIET} of the last write, a burst of saves becoming one reload. Polling
 * the content stays as the safety net for file systems that send no events (network mounts, some
 * container volumes): a change seen by a poll is read once it has stayed put for one interval.
 * Decoding happens only when the files changed; a poll only reads and hashes them.
 */
public final class ConfigWatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConfigWatcher.class);
    /** How long the directory must be quiet after a file event before it is read: one save is often several writes. */
    public static final Duration EVENT_QUIET = Duration.ofMillis(20);

    private final ConfigDirectory directory;
    private final Consumer<ConfigDirectory.Reading> onChange;
    private final ScheduledExecutorService scheduler;
    private final Optional<WatchService> events;
    private final Set<Path> watched = new HashSet<>();
    /** Touched only on the scheduler's thread. */
    private String applied;
    private String pending;
    private ScheduledFuture<?> eventCheck;

    public ConfigWatcher(ConfigDirectory directory, String appliedFingerprint, Consumer<ConfigDirectory.Reading> onChange,
            Duration pollInterval) {
        this(directory, appliedFingerprint, onChange, pollInterval, true);
    }

    /** {@code fileEvents} false: polling only, as on a file system that sends no events. */
    ConfigWatcher(ConfigDirectory directory, String appliedFingerprint, Consumer<ConfigDirectory.Reading> onChange,
            Duration pollInterval, boolean fileEvents) {
        this.directory = directory;
        this.onChange = onChange;
        this.applied = appliedFingerprint;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("config-watcher").factory());
        this.events = fileEvents ? openWatchService() : Optional.empty();
        events.ifPresent(service -> {
            watchFolders(); // before anything runs on the scheduler, so that no write after this constructor is missed
            Thread.ofPlatform().daemon().name("config-events").start(() -> takeEvents(service));
        });
        scheduler.scheduleWithFixedDelay(this::poll, pollInterval.toMillis(), pollInterval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private Optional<WatchService> openWatchService() {
        try {
            return Optional.of(FileSystems.getDefault().newWatchService());
        } catch (IOException | UnsupportedOperationException e) {
            log.info("no file events for {} ({}); changes are seen by polling", directory.root(), e.getMessage());
            return Optional.empty();
        }
    }

    /** Registers every folder not yet watched (folders made since are found on the event that made them). */
    private void watchFolders() {
        try {
            for (Path folder : directory.folders()) {
                if (watched.add(folder)) {
                    folder.register(events.orElseThrow(), ENTRY_CREATE, ENTRY_MODIFY, ENTRY_DELETE);
                }
            }
        } catch (IOException | RuntimeException e) {
            log.warn("cannot watch {} for changes ({}); polling still sees them", directory.root(), e.getMessage());
        }
    }

    private void takeEvents(WatchService service) {
        try {
            while (true) {
                WatchKey key = service.take();
                key.pollEvents();
                if (!key.reset()) {
                    scheduler.execute(() -> watched.remove((Path) key.watchable()));
                }
                scheduler.execute(this::eventSeen);
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // closing
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // the scheduler was shut down first
        }
    }

    /** Each event moves the check to {@link #EVENT_QUIET} from now. */
    private void eventSeen() {
        if (eventCheck != null) {
            eventCheck.cancel(false);
        }
        eventCheck = scheduler.schedule(this::checkAfterEvents, EVENT_QUIET.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void checkAfterEvents() {
        watchFolders();
        check(true);
    }

    private void poll() {
        check(false);
    }

    /** Applies a change at once after file events; a change seen only by polling waits one more poll to settle. */
    private void check(boolean quietAfterEvents) {
        try {
            ConfigDirectory.Scan scan = directory.scan();
            String seen = scan.fingerprint();
            if (seen.equals(applied)) {
                pending = null;
            } else if (quietAfterEvents && hasEmptyFile(scan)) {
                // A file truncated to be written again (not written to a temporary and renamed): read now, its
                // policies would be gone until the rest lands (and stay, were the rest refused): a missing DENY lets
                // in what it refuses. A file left empty on purpose still applies, once two polls find it unchanged.
                pending = null;
            } else if (quietAfterEvents || seen.equals(pending)) {
                applied = seen;
                pending = null;
                onChange.accept(directory.assemble(scan));
            } else {
                pending = seen;
            }
        } catch (RuntimeException e) {
            log.warn("cannot read the config directory {}: {}", directory.root(), e.getMessage());
        }
    }

    private static boolean hasEmptyFile(ConfigDirectory.Scan scan) {
        return scan.sources().stream().anyMatch(source -> source.text().isBlank());
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        events.ifPresent(service -> {
            try {
                service.close();
            } catch (IOException e) {
                log.debug("closing the watch service failed", e);
            }
        });
    }
}
