package dev.aimesh.proxy.filter.dlp;

import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import dev.aimesh.core.audit.SecurityEvent;
import dev.aimesh.core.dlp.DlpRules;
import dev.aimesh.core.dlp.JsonRedactor;
import dev.aimesh.core.dlp.Redactor;
import dev.aimesh.core.dlp.SseRedactor;
import dev.aimesh.core.dlp.StreamingRedactor;
import dev.aimesh.core.registry.WorkloadEntry;
import dev.aimesh.core.resource.DataLossPreventionPolicy.Direction;
import dev.aimesh.core.resource.DataLossPreventionPolicy.OverLimit;
import dev.aimesh.proxy.filter.ExchangeContext;
import dev.aimesh.proxy.filter.FilterDecision;
import dev.aimesh.proxy.filter.HttpFilter;
import dev.aimesh.proxy.filter.RequestHead;
import dev.aimesh.proxy.filter.ResponseHead;

/**
 * Data-loss prevention on the inbound side, with the snapshot's {@link DlpRules}: the plan for the caller (rules
 * for every caller, and those whose callers it is) in each direction.
 *
 * <p>A request body is held whole, up to the policies' cap, and scanned before anything goes to the model: JSON
 * string by string ({@link dev.aimesh.core.dlp.JsonRedactor}), any other body as text; a block answers 403
 * {@code dlp-blocked}, a redaction sends the redacted body instead. A body over the cap is refused (413
 * {@code dlp-body-too-large}) or, where the policies say {@code pass}, goes on with a {@code dlp.uninspected} event;
 * a compressed body cannot be read, and is refused (415) or passed the same way.
 *
 * <p>A response is inspected as it streams. The request's {@code Accept-Encoding} is removed so the model answers
 * uncompressed, and the response's {@code Content-Length}, which a redaction changes. An event stream goes through an
 * {@link SseRedactor} (a value split across events is caught; a block ends the stream with an error event); a JSON
 * body is collected up to the cap and redacted whole; other text streams through a {@link StreamingRedactor}. A block
 * in a response that is not an event stream cuts the exchange (the client sees it fail, never the value). Binary
 * bodies (images, audio, video, octet streams) pass with a {@code dlp.uninspected} event.
 */
public final class DataLossPreventionFilter implements HttpFilter {
    private static final Logger log = LoggerFactory.getLogger(DataLossPreventionFilter.class);
    private final DataLossPreventionConfig config;

    public DataLossPreventionFilter(DataLossPreventionConfig config) {
        this.config = config;
    }

    @Override
    public String name() {
        return "dlp";
    }

    @Override
    public int hooks() {
        return RESPONSE_HEADERS | RESPONSE_BODY;
    }

    /** What one exchange keeps between hooks. */
    private static final class State {
        final DlpRules.Plan request;
        final DlpRules.Plan response;
        Mode mode = Mode.PASS;
        SseRedactor events;
        StreamingRedactor text;
        ByteArrayOutputStream json;
        boolean stopped;

        State(DlpRules.Plan request, DlpRules.Plan response) {
            this.request = request;
            this.response = response;
        }
    }

    private enum Mode { PASS, EVENTS, JSON, TEXT }

    @Override
    public FilterDecision onRequestHeaders(ExchangeContext exchange, RequestHead head) {
        DlpRules rules = exchange.snapshot().dlp();
        DlpRules.Caller caller = rules.dependsOnCaller() ? caller(exchange) : DlpRules.Caller.ANONYMOUS;
        DlpRules.Plan request = rules.plan(Direction.REQUEST, caller).orElse(null);
        DlpRules.Plan response = rules.plan(Direction.RESPONSE, caller).orElse(null);
        if (request == null && response == null) {
            return FilterDecision.CONTINUE;
        }
        exchange.state(new State(request, response));
        if (response != null) {
            head.remove(HttpHeaderNames.ACCEPT_ENCODING); // a compressed answer could not be read
        }
        if (request == null || !exchange.hasBody()) {
            return FilterDecision.CONTINUE;
        }
        String encoding = head.get(HttpHeaderNames.CONTENT_ENCODING);
        if (encoding != null && !encoding.equalsIgnoreCase("identity")) {
            return uninspectable(exchange, request, Direction.REQUEST, 415, "dlp-encoded-body",
                    "the request body is " + encoding + "-encoded, which data-loss prevention cannot read; send it uncompressed");
        }
        // over the cap this filter decides (the policy says refuse or pass), so the decision is audited
        return new FilterDecision.Hold(request.inspection().maxBodyBytes(), FilterDecision.OverCap.CONTINUE_WITHOUT);
    }

    @Override
    public FilterDecision onHeldRequestBody(ExchangeContext exchange, RequestHead head, ByteBuf body, boolean complete) {
        DlpRules.Plan plan = ((State) exchange.state()).request;
        byte[] bytes = ByteBufUtil.getBytes(body);
        Redactor.Outcome outcome = JsonRedactor.looksLikeJson(head.get(HttpHeaderNames.CONTENT_TYPE), bytes)
                ? plan.json().apply(bytes, 0, bytes.length) : plan.redactor().apply(bytes, 0, bytes.length);
        if (outcome instanceof Redactor.Outcome.Blocked blocked) {
            return block(exchange, plan, Direction.REQUEST, blocked);
        }
        if (!complete) {
            return uninspectable(exchange, plan, Direction.REQUEST, 413, "dlp-body-too-large", "the request body is larger"
                    + " than the " + plan.inspection().maxBodyBytes() + " bytes data-loss prevention inspects");
        }
        return switch (outcome) {
            case Redactor.Outcome.Redacted redacted -> {
                report(exchange, plan, SecurityEvent.Type.DLP_REDACTED, Direction.REQUEST, redacted.findings(), "redacted");
                yield new FilterDecision.ReplaceChunk(Unpooled.wrappedBuffer(redacted.body()));
            }
            case Redactor.Outcome.Audited audited -> {
                report(exchange, plan, SecurityEvent.Type.DLP_AUDIT, Direction.REQUEST, audited.findings(), "recorded");
                yield FilterDecision.CONTINUE;
            }
            default -> FilterDecision.CONTINUE;
        };
    }

    @Override
    public FilterDecision onResponseHeaders(ExchangeContext exchange, ResponseHead head) {
        if (!(exchange.state() instanceof State state) || state.response == null) {
            return FilterDecision.CONTINUE;
        }
        int status = head.status();
        if (status == 204 || status == 304 || "HEAD".equals(exchange.method())) {
            return FilterDecision.CONTINUE;
        }
        DlpRules.Plan plan = state.response;
        String encoding = head.get(HttpHeaderNames.CONTENT_ENCODING);
        if (encoding != null && !encoding.equalsIgnoreCase("identity")) {
            return uninspectable(exchange, plan, Direction.RESPONSE, 502, "dlp-encoded-response", "the model answered "
                    + encoding + "-encoded, which data-loss prevention cannot read");
        }
        String type = lower(head.get(HttpHeaderNames.CONTENT_TYPE));
        if (binary(type)) {
            report(exchange, plan, SecurityEvent.Type.DLP_UNINSPECTED, Direction.RESPONSE, List.of(), "a " + type
                    + " body is not inspected");
            return FilterDecision.CONTINUE;
        }
        int cap = plan.inspection().maxBodyBytes();
        if (type.startsWith("text/event-stream")) {
            state.mode = Mode.EVENTS;
            state.events = new SseRedactor(plan.json(), cap);
        } else if (type.contains("json") && !type.contains("ndjson") && !type.contains("json-seq")) {
            state.mode = Mode.JSON;
            state.json = new ByteArrayOutputStream();
        } else {
            state.mode = Mode.TEXT;
            state.text = new StreamingRedactor(plan.redactor());
        }
        head.remove(HttpHeaderNames.CONTENT_LENGTH); // a redaction changes it; the hop frames the body itself
        return FilterDecision.CONTINUE;
    }

    @Override
    public FilterDecision onResponseBody(ExchangeContext exchange, ByteBuf chunk, boolean last) {
        if (!(exchange.state() instanceof State state) || state.mode == Mode.PASS) {
            return FilterDecision.CONTINUE;
        }
        if (state.stopped) {
            return new FilterDecision.ReplaceChunk(Unpooled.EMPTY_BUFFER);
        }
        byte[] bytes = ByteBufUtil.getBytes(chunk);
        return switch (state.mode) {
            case EVENTS -> events(exchange, state, bytes, last);
            case JSON -> json(exchange, state, bytes, last);
            default -> text(exchange, state, bytes, last);
        };
    }

    private FilterDecision events(ExchangeContext exchange, State state, byte[] bytes, boolean last) {
        DlpRules.Plan plan = state.response;
        ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length + 32);
        SseRedactor.Release release = state.events.feed(bytes, 0, bytes.length);
        out.writeBytes(release.bytes());
        findings(exchange, plan, release.findings(), release.blocked());
        if (release.blocked().isPresent()) {
            state.stopped = true;
            return replace(out);
        }
        if (release.overLimit()) {
            if (plan.inspection().overLimit() == OverLimit.REFUSE) {
                report(exchange, plan, SecurityEvent.Type.DLP_BLOCKED, Direction.RESPONSE, List.of(), "an event over the "
                        + plan.inspection().maxBodyBytes() + " bytes inspected");
                out.writeBytes(state.events.refuse("dlp-event-too-large", "the response was stopped: an event is larger"
                        + " than the " + plan.inspection().maxBodyBytes() + " bytes data-loss prevention inspects"));
                state.stopped = true;
                return replace(out);
            }
            report(exchange, plan, SecurityEvent.Type.DLP_UNINSPECTED, Direction.RESPONSE, List.of(), "an event over the "
                    + plan.inspection().maxBodyBytes() + " bytes inspected; the rest of the stream passed uninspected");
            out.writeBytes(state.events.passUnscanned());
        }
        if (last) {
            SseRedactor.Release end = state.events.finish();
            out.writeBytes(end.bytes());
            findings(exchange, plan, end.findings(), end.blocked());
        }
        return replace(out);
    }

    private FilterDecision json(ExchangeContext exchange, State state, byte[] bytes, boolean last) {
        DlpRules.Plan plan = state.response;
        state.json.writeBytes(bytes);
        if (state.json.size() > plan.inspection().maxBodyBytes()) {
            if (plan.inspection().overLimit() == OverLimit.REFUSE) {
                state.stopped = true;
                return uninspectable(exchange, plan, Direction.RESPONSE, 502, "dlp-body-too-large", "the response body is"
                        + " larger than the " + plan.inspection().maxBodyBytes() + " bytes data-loss prevention inspects");
            }
            report(exchange, plan, SecurityEvent.Type.DLP_UNINSPECTED, Direction.RESPONSE, List.of(), "a body over the "
                    + plan.inspection().maxBodyBytes() + " bytes inspected passed uninspected");
            state.mode = Mode.PASS;
            return replace(state.json);
        }
        if (!last) {
            return new FilterDecision.ReplaceChunk(Unpooled.EMPTY_BUFFER); // the whole body is redacted at its end
        }
        byte[] body = state.json.toByteArray();
        Redactor.Outcome outcome = plan.json().apply(body, 0, body.length);
        return switch (outcome) {
            case Redactor.Outcome.Blocked blocked -> {
                state.stopped = true;
                yield block(exchange, plan, Direction.RESPONSE, blocked);
            }
            case Redactor.Outcome.Redacted redacted -> {
                report(exchange, plan, SecurityEvent.Type.DLP_REDACTED, Direction.RESPONSE, redacted.findings(), "redacted");
                yield new FilterDecision.ReplaceChunk(Unpooled.wrappedBuffer(redacted.body()));
            }
            case Redactor.Outcome.Audited audited -> {
                report(exchange, plan, SecurityEvent.Type.DLP_AUDIT, Direction.RESPONSE, audited.findings(), "recorded");
                yield new FilterDecision.ReplaceChunk(Unpooled.wrappedBuffer(body));
            }
            case Redactor.Outcome.Clean clean -> new FilterDecision.ReplaceChunk(Unpooled.wrappedBuffer(body));
        };
    }

    private FilterDecision text(ExchangeContext exchange, State state, byte[] bytes, boolean last) {
        DlpRules.Plan plan = state.response;
        ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length);
        StreamingRedactor.Release release = state.text.feed(bytes, 0, bytes.length);
        out.writeBytes(release.bytes());
        findings(exchange, plan, release.findings(), release.blocked());
        if (release.blocked().isEmpty() && last) {
            release = state.text.finish();
            out.writeBytes(release.bytes());
            findings(exchange, plan, release.findings(), release.blocked());
        }
        if (release.blocked().isPresent()) {
            state.stopped = true;
            // what came before the value is out; the exchange is cut, so the client sees the response fail
            return new FilterDecision.Respond(403, "dlp-blocked", "the response contained "
                    + release.blocked().get().detector().key() + " data, which policy " + plan.source(
                    release.blocked().get().detector()) + " blocks");
        }
        return replace(out);
    }

    /** Reports what a piece of a stream released: its redactions and recorded findings, or the block that ended it. */
    private void findings(ExchangeContext exchange, DlpRules.Plan plan, List<Redactor.Finding> findings,
            Optional<Redactor.Finding> blocked) {
        if (blocked.isPresent()) {
            report(exchange, plan, SecurityEvent.Type.DLP_BLOCKED, Direction.RESPONSE, findings, "the stream was ended");
            return;
        }
        if (findings.isEmpty()) {
            return;
        }
        boolean replaced = findings.stream().anyMatch(f -> f.action() != dev.aimesh.core.dlp.DlpAction.AUDIT);
        report(exchange, plan, replaced ? SecurityEvent.Type.DLP_REDACTED : SecurityEvent.Type.DLP_AUDIT, Direction.RESPONSE,
                findings, replaced ? "redacted" : "recorded");
    }

    private FilterDecision block(ExchangeContext exchange, DlpRules.Plan plan, Direction direction, Redactor.Outcome.Blocked blocked) {
        String detector = blocked.first().detector().key();
        String source = plan.source(blocked.first().detector());
        log.warn("blocked {} {} from {}: its {} has {} data (policy {})", exchange.method(), exchange.target(),
                dev.aimesh.proxy.filter.common.ExchangeEvents.who(exchange), direction.name().toLowerCase(Locale.ROOT), detector,
                source);
        report(exchange, plan, SecurityEvent.Type.DLP_BLOCKED, direction, blocked.findings(), "blocked");
        String what = direction == Direction.REQUEST ? "the request contains " : "the response contained ";
        return new FilterDecision.Respond(403, "dlp-blocked", what + detector + " data, which policy " + source + " blocks");
    }

    /** A body that cannot be inspected: refused with {@code status}, or passed with an event, as the policies say. */
    private FilterDecision uninspectable(ExchangeContext exchange, DlpRules.Plan plan, Direction direction, int status,
            String code, String message) {
        if (plan.inspection().overLimit() == OverLimit.REFUSE) {
            report(exchange, plan, SecurityEvent.Type.DLP_BLOCKED, direction, List.of(), code + ": " + message);
            return new FilterDecision.Respond(status, code, message);
        }
        report(exchange, plan, SecurityEvent.Type.DLP_UNINSPECTED, direction, List.of(), code + ": " + message
                + " (passed, as the policy allows)");
        return FilterDecision.CONTINUE;
    }

    private void report(ExchangeContext exchange, DlpRules.Plan plan, SecurityEvent.Type type, Direction direction,
            List<Redactor.Finding> findings, String reason) {
        DlpEvents.report(config.events(), type, exchange, plan, direction, findings, reason);
    }

    private static FilterDecision replace(ByteArrayOutputStream out) {
        return new FilterDecision.ReplaceChunk(out.size() == 0 ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(out.toByteArray()));
    }

    /** Who the caller is as caller rules read it: its verified identity and its workload's labels in the registry. */
    private static DlpRules.Caller caller(ExchangeContext exchange) {
        Map<String, String> labels = exchange.peerId().flatMap(id -> exchange.snapshot().registry().bySpiffeId(id))
                .map(WorkloadEntry::labels).orElse(Map.of());
        return DlpRules.Caller.of(exchange.peerId(), labels);
    }

    static boolean binary(String type) {
        return type.startsWith("image/") || type.startsWith("audio/") || type.startsWith("video/")
                || type.startsWith("application/octet-stream");
    }

    private static String lower(String value) {
        return value == null ? "" : value.toLowerCase(Locale.ROOT);
    }
}
