package dev.aimesh.controlplane.audit;

/** Where audit events go. Implementations must not lose an event they accepted. */
public interface AuditLog extends AutoCloseable {
    void record(AuditEvent event);

    /** Records several events in order; a log may write them at once (one flush to disk for all). */
    default void recordAll(java.util.List<AuditEvent> events) {
        events.forEach(this::record);
    }

    @Override
    void close();
}
