package dev.aimesh.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import dev.aimesh.core.dlp.DlpRules;
import dev.aimesh.core.dlp.JsonRedactor;
import dev.aimesh.core.dlp.Redactor;
import dev.aimesh.core.dlp.SseRedactor;
import dev.aimesh.core.resource.DataLossPreventionPolicy.Direction;

/**
 * {@code aimesh check --body}: a body through the plan the proxy would apply for the caller, as the proxy reads it (a
 * JSON body string by string, an event stream event by event, anything else as text), and what goes on.
 */
final class DlpCheck {
    private DlpCheck() {}

    /** {@code outcome} (clean, audited, redacted, blocked), {@code findings}, and the {@code body} that would go on. */
    static Map<String, Object> of(DlpRules rules, Direction direction, DlpRules.Caller caller, byte[] body) {
        Map<String, Object> result = new LinkedHashMap<>();
        Optional<DlpRules.Plan> plan = rules.plan(direction, caller);
        if (plan.isEmpty()) {
            result.put("outcome", "uninspected");
            result.put("reason", "no DataLossPreventionPolicy rule applies to " + direction.name().toLowerCase(Locale.ROOT)
                    + "s of this caller");
            return result;
        }
        if (body.length > plan.get().inspection().maxBodyBytes()) {
            result.put("outcome", plan.get().inspection().overLimit() == dev.aimesh.core.resource.DataLossPreventionPolicy
                    .OverLimit.REFUSE ? "blocked" : "uninspected");
            result.put("reason", "the body is over the " + plan.get().inspection().maxBodyBytes() + " bytes inspected");
            return result;
        }
        List<Redactor.Finding> findings = new ArrayList<>();
        byte[] out;
        Optional<Redactor.Finding> blocked;
        if (direction == Direction.RESPONSE && eventStream(body)) {
            SseRedactor events = new SseRedactor(plan.get().json(), plan.get().inspection().maxBodyBytes());
            SseRedactor.Release a = events.feed(body, 0, body.length);
            SseRedactor.Release b = events.finish();
            findings.addAll(a.findings());
            findings.addAll(b.findings());
            out = concat(a.bytes(), b.bytes());
            blocked = a.blocked().or(b::blocked);
        } else {
            Redactor.Outcome outcome = JsonRedactor.looksLikeJson(null, body) ? plan.get().json().apply(body, 0, body.length)
                    : plan.get().redactor().apply(body, 0, body.length);
            findings.addAll(outcome.findings());
            out = outcome instanceof Redactor.Outcome.Redacted r ? r.body() : body;
            blocked = outcome instanceof Redactor.Outcome.Blocked b ? Optional.of(b.first()) : Optional.empty();
        }
        result.put("outcome", blocked.isPresent() ? "blocked" : findings.isEmpty() ? "clean"
                : findings.stream().allMatch(f -> f.action() == dev.aimesh.core.dlp.DlpAction.AUDIT) ? "audited" : "redacted");
        List<Map<String, Object>> listed = new ArrayList<>();
        for (Redactor.Finding f : findings) {
            listed.add(Map.of("detector", f.detector().key(), "at", f.start() + "-" + f.end(),
                    "action", f.action().name().toLowerCase(Locale.ROOT), "rule", plan.get().source(f.detector())));
        }
        result.put("findings", listed);
        if (blocked.isPresent()) {
            result.put("reason", blocked.get().detector().key() + " data, which policy "
                    + plan.get().source(blocked.get().detector()) + " blocks");
        } else {
            result.put("body", new String(out, StandardCharsets.UTF_8));
        }
        return result;
    }

    static void print(PrintWriter out, String direction, Map<?, ?> checked) {
        String who = direction.equals("request") ? "the model" : "the caller";
        out.printf("  %s body: %s", direction, checked.get("outcome"));
        if (checked.get("reason") != null) {
            out.printf(" (%s)", checked.get("reason"));
        }
        out.println();
        if (checked.get("findings") instanceof List<?> findings) {
            for (Object f : findings) {
                Map<?, ?> finding = (Map<?, ?>) f;
                out.printf("    %s at bytes %s: %s (%s)%n", finding.get("detector"), finding.get("at"), finding.get("action"),
                        finding.get("rule"));
            }
        }
        if (checked.get("body") != null && !"clean".equals(checked.get("outcome"))) {
            out.printf("  %s would receive:%n%s%n", who, checked.get("body"));
        }
    }

    private static boolean eventStream(byte[] body) {
        String start = new String(body, 0, Math.min(body.length, 6), StandardCharsets.US_ASCII);
        return start.startsWith("data:") || start.startsWith("event:") || start.startsWith(":");
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
