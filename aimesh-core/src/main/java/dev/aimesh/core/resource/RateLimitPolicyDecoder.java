package dev.aimesh.core.resource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import dev.aimesh.core.ai.AiOperation;
import dev.aimesh.core.authz.PrincipalPattern;
import dev.aimesh.core.authz.StringMatch;
import dev.aimesh.core.config.MappingReader;
import dev.aimesh.core.config.Position;
import dev.aimesh.core.resource.RateLimitPolicy.KeyPart;
import dev.aimesh.core.resource.RateLimitPolicy.Limit;
import dev.aimesh.core.resource.RateLimitPolicy.Unit;
import dev.aimesh.core.resource.RateLimitPolicy.When;

/** Decodes and validates a RateLimitPolicy, reporting every problem with its field path. */
final class RateLimitPolicyDecoder {
    private RateLimitPolicyDecoder() {}

    static Optional<Resource> decode(ObjectMeta metadata, Position position, MappingReader spec) {
        Optional<Map<String, String>> selector = LabelSelectorDecoder.istioSelector(spec);
        List<Limit> limits = new ArrayList<>();
        List<MappingReader.Item> items = spec.list("limits");
        for (int i = 0; i < items.size(); i++) {
            int index = i;
            items.get(i).mapping(spec.diagnostics()).flatMap(l -> limit(l, index)).ifPresent(limits::add);
        }
        if (items.isEmpty()) {
            spec.error("limits", "is required: at least one limit (requests or tokens, per a window)");
        }
        for (int i = 0; i < limits.size(); i++) {
            for (int j = 0; j < i; j++) {
                if (limits.get(i).name().equals(limits.get(j).name())) {
                    spec.error("limits", "two limits are named '" + limits.get(i).name() + "': names must differ");
                }
            }
        }
        spec.finish();
        return Optional.of(new RateLimitPolicy(metadata, position, selector, limits));
    }

    private static Optional<Limit> limit(MappingReader limit, int index) {
        String name = limit.value("name", RateLimitPolicyDecoder::limitName).orElse("limits[" + index + "]");
        Optional<Long> requests = limit.value("requests", RateLimitPolicyDecoder::amount);
        Optional<Long> tokens = limit.value("tokens", RateLimitPolicyDecoder::amount);
        if (limit.has("requests") && limit.has("tokens")) {
            limit.error("tokens", "a limit counts requests or tokens, not both: make two limits");
        } else if (!limit.has("requests") && !limit.has("tokens")) {
            limit.error("requests", "is required: how many requests (or, as tokens, how many LLM tokens) per window");
        }
        Optional<Duration> window = limit.duration("per", RateLimitPolicy.MIN_WINDOW, RateLimitPolicy.MAX_WINDOW);
        if (!limit.has("per")) {
            limit.error("per", "is required: the window, from 1s to 31d (e.g. 1m, 1h, 24h, 30d)");
        }
        List<KeyPart> by = new ArrayList<>();
        for (MappingReader.Item item : limit.list("by")) {
            limit.convert(item.node(), item.path(), RateLimitPolicyDecoder::keyPart).ifPresent(part -> {
                if (by.contains(part)) {
                    limit.error("by", "'" + part.key() + "' is given twice");
                } else {
                    by.add(part);
                }
            });
        }
        if (!limit.has("by")) {
            by.add(KeyPart.CALLER);
        }
        When when = limit.mapping("when").map(RateLimitPolicyDecoder::when).orElse(When.ALWAYS);
        limit.finish();
        Optional<Long> amount = requests.or(() -> tokens);
        if (amount.isEmpty() || window.isEmpty() || requests.isPresent() == tokens.isPresent()) {
            return Optional.empty();
        }
        if (amount.get() > window.get().toNanos()) {
            limit.error(requests.isPresent() ? "requests" : "tokens", amount.get() + " per " + limit.string("per").orElse("")
                    + " is more than one a nanosecond: use a longer window");
            return Optional.empty();
        }
        return Optional.of(new Limit(name, requests.isPresent() ? Unit.REQUESTS : Unit.TOKENS, amount.get(), window.get(),
                by, when));
    }

    private static When when(MappingReader when) {
        List<StringMatch> principals = new ArrayList<>();
        for (MappingReader.Item item : when.list("principals")) {
            when.convert(item.node(), item.path(), PrincipalPattern::parse).ifPresent(principals::add);
        }
        List<String> namespaces = new ArrayList<>();
        for (MappingReader.Item item : when.list("namespaces")) {
            when.convert(item.node(), item.path(), Names::requireLabel).ifPresent(namespaces::add);
        }
        List<String> models = when.stringList("models");
        Set<AiOperation> operations = EnumSet.noneOf(AiOperation.class);
        for (MappingReader.Item item : when.list("operations")) {
            when.convert(item.node(), item.path(), text -> AiOperation.of(text).orElseThrow(() -> new IllegalArgumentException(
                    "'" + text + "' is not an operation (expected one of: " + AiOperation.keys() + ")")))
                    .ifPresent(operations::add);
        }
        if (when.keys().isEmpty()) {
            when.error("principals", "when names nothing: give principals, namespaces, models or operations (or leave"
                    + " when out for every request)");
        }
        when.finish();
        return new When(principals, namespaces, models, operations);
    }

    private static String limitName(String text) {
        // a name goes into the RateLimit headers as a quoted string: keep it to a label's characters
        return Names.requireLabel(text);
    }

    private static long amount(String text) {
        long n;
        try {
            n = Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a whole number");
        }
        if (n < 1 || n > RateLimitPolicy.MAX_AMOUNT) {
            throw new IllegalArgumentException(n + " is out of range (expected: 1 to " + RateLimitPolicy.MAX_AMOUNT + ")");
        }
        return n;
    }

    private static KeyPart keyPart(String text) {
        return KeyPart.parse(text).orElseThrow(() -> new IllegalArgumentException("'" + text + "' is not a key part"
                + " (expected: caller, requestPrincipal, claim:<name>, model or operation)"));
    }
}
