package dev.aimesh.controlplane.audit;

/** Where audit events go. Implementations must not lose an event they accepted. */
public interface AuditLog extends AutoCloseable {
    void record(AuditEvent event);

    @Override
    void close();
}
