package dev.aimesh.proxy.filter.dlp;

import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import dev.aimesh.core.audit.SecurityEvent;
import dev.aimesh.core.audit.SecurityEvent.Field;
import dev.aimesh.core.dlp.DlpRules;
import dev.aimesh.core.dlp.Redactor;
import dev.aimesh.core.resource.DataLossPreventionPolicy.Direction;
import dev.aimesh.proxy.filter.ExchangeContext;
import dev.aimesh.proxy.filter.common.ExchangeEvents;
import dev.aimesh.proxy.filter.common.SecurityEventSink;

/**
 * The security event of a DLP decision: the detectors, where in the body, the rules whose actions applied and each
 * value's salted hash — never a value. At most {@link #MAX_LISTED} findings are listed; the reason counts them all.
 */
final class DlpEvents {
    static final int MAX_LISTED = 8;

    private DlpEvents() {}

    static void report(SecurityEventSink events, SecurityEvent.Type type, ExchangeContext exchange, DlpRules.Plan plan,
            Direction direction, List<Redactor.Finding> findings, String reason) {
        Map<Field, String> fields = new EnumMap<>(Field.class);
        fields.put(Field.DIRECTION, direction.name().toLowerCase(Locale.ROOT));
        if (findings.isEmpty()) {
            fields.put(Field.POLICY, String.join(",", plan.sources().values().stream().map(DlpEvents::policy)
                    .collect(Collectors.toCollection(java.util.TreeSet::new))));
            fields.put(Field.REASON, reason);
        } else {
            List<Redactor.Finding> listed = findings.subList(0, Math.min(MAX_LISTED, findings.size()));
            Set<String> detectors = new LinkedHashSet<>();
            Set<String> rules = new LinkedHashSet<>();
            listed.forEach(f -> {
                detectors.add(f.detector().key());
                rules.add(plan.source(f.detector()));
            });
            fields.put(Field.DETECTOR, String.join(",", detectors));
            fields.put(Field.POLICY, String.join(",", rules.stream().map(DlpEvents::policy).collect(Collectors.toCollection(
                    LinkedHashSet::new))));
            fields.put(Field.RULE, String.join(",", rules.stream().map(DlpEvents::rule).toList()));
            fields.put(Field.LOCATION, listed.stream().map(f -> f.start() + "-" + f.end()).collect(Collectors.joining(",")));
            String hashes = listed.stream().map(Redactor.Finding::valueHash).filter(h -> !h.isEmpty())
                    .collect(Collectors.joining(","));
            fields.put(Field.VALUE_HASH, hashes);
            fields.put(Field.REASON, reason + ": " + findings.size() + " finding(s)");
        }
        ExchangeEvents.report(events, type, exchange, fields);
    }

    private static String policy(String source) {
        int hash = source.indexOf('#');
        return hash < 0 ? source : source.substring(0, hash);
    }

    private static String rule(String source) {
        int hash = source.indexOf('#');
        return hash < 0 ? "" : source.substring(hash + 1);
    }
}
