package dev.aimesh.proxy.filter.common;

import java.util.EnumMap;
import java.util.Map;
import dev.aimesh.core.audit.SecurityEvent;
import dev.aimesh.core.audit.SecurityEvent.Field;
import dev.aimesh.proxy.filter.ExchangeContext;

/**
 * A security event about one exchange, with what every such event carries: the method and target as the
 * client sent them, the caller, and the snapshot version the decision was made with.
 */
public final class ExchangeEvents {
    private ExchangeEvents() {}

    public static void report(SecurityEventSink events, SecurityEvent.Type type, ExchangeContext exchange,
            Map<Field, String> more) {
        Map<Field, String> fields = new EnumMap<>(Field.class);
        fields.put(Field.METHOD, exchange.method());
        fields.put(Field.PATH, exchange.target());
        fields.put(Field.CALLER, SecurityEventSink.caller(exchange.peerId(), exchange.remoteAddress()));
        fields.put(Field.CONFIG_VERSION, exchange.snapshot().version());
        fields.putAll(more);
        events.report(type, fields);
    }

    /** Who made the request, for log lines. */
    public static String who(ExchangeContext exchange) {
        return exchange.peer() == null ? "a plain-text caller" : exchange.peer().id().toString();
    }
}
