package dev.aimesh.api;

import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import dev.aimesh.api.v1.AuditBatch;
import dev.aimesh.core.audit.SecurityEvent;
import dev.aimesh.core.audit.SecurityEvent.Field;

/** Converts security events between {@link dev.aimesh.api.v1.SecurityEvent} messages and core values. */
public final class AuditMessages {
    private AuditMessages() {}

    public static AuditBatch toProto(List<SecurityEvent> events) {
        AuditBatch.Builder batch = AuditBatch.newBuilder();
        for (SecurityEvent event : events) {
            batch.addEvents(toProto(event));
        }
        return batch.build();
    }

    public static dev.aimesh.api.v1.SecurityEvent toProto(SecurityEvent event) {
        var b = dev.aimesh.api.v1.SecurityEvent.newBuilder()
                .setType(event.type().code)
                .setTimeUnixMillis(event.time().toEpochMilli());
        event.fields().forEach((field, value) -> {
            switch (field) {
                case METHOD -> b.setMethod(value);
                case PATH -> b.setPath(value);
                case CALLER -> b.setCaller(value);
                case POLICY -> b.setPolicy(value);
                case RULE -> b.setRule(value);
                case REASON -> b.setReason(value);
                case MODEL -> b.setModel(value);
                case DESTINATION -> b.setDestination(value);
                case COUNT -> b.setCount(Long.parseUnsignedLong(value));
                case CONFIG_VERSION -> b.setConfigVersion(value);
                case DETECTOR -> b.setDetector(value);
                case DIRECTION -> b.setDirection(value);
                case LOCATION -> b.setLocation(value);
                case VALUE_HASH -> b.setValueHash(value);
            }
        });
        return b.build();
    }

    /** The event in a message; empty when its type is unknown (the message comes from another process). */
    public static Optional<SecurityEvent> fromProto(dev.aimesh.api.v1.SecurityEvent message) {
        return SecurityEvent.Type.of(message.getType()).map(type -> {
            Map<Field, String> fields = new EnumMap<>(Field.class);
            fields.put(Field.METHOD, message.getMethod());
            fields.put(Field.PATH, message.getPath());
            fields.put(Field.CALLER, message.getCaller());
            fields.put(Field.POLICY, message.getPolicy());
            fields.put(Field.RULE, message.getRule());
            fields.put(Field.REASON, message.getReason());
            fields.put(Field.MODEL, message.getModel());
            fields.put(Field.DESTINATION, message.getDestination());
            fields.put(Field.CONFIG_VERSION, message.getConfigVersion());
            fields.put(Field.DETECTOR, message.getDetector());
            fields.put(Field.DIRECTION, message.getDirection());
            fields.put(Field.LOCATION, message.getLocation());
            fields.put(Field.VALUE_HASH, message.getValueHash());
            if (message.getCount() != 0) {
                fields.put(Field.COUNT, Long.toUnsignedString(message.getCount()));
            }
            return new SecurityEvent(type, Instant.ofEpochMilli(message.getTimeUnixMillis()), fields);
        });
    }

    /** Every event of a batch in order; an unknown type is an empty element, which the receiver counts as refused. */
    public static List<Optional<SecurityEvent>> fromProto(AuditBatch batch) {
        List<Optional<SecurityEvent>> events = new ArrayList<>(batch.getEventsCount());
        for (var message : batch.getEventsList()) {
            events.add(fromProto(message));
        }
        return events;
    }
}
