package dev.aimesh.proxy.filter.ai;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.HttpHeaderNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import dev.aimesh.core.ai.BodyModel;
import dev.aimesh.core.ai.ModelCall;
import dev.aimesh.core.audit.SecurityEvent;
import dev.aimesh.core.authz.Authorizer;
import dev.aimesh.core.http.RequestPath;
import dev.aimesh.proxy.filter.ExchangeContext;
import dev.aimesh.proxy.filter.FilterDecision;
import dev.aimesh.proxy.filter.HttpFilter;
import dev.aimesh.proxy.filter.RequestHead;
import dev.aimesh.proxy.filter.common.ExchangeEvents;

/**
 * The request attributes policy reads, established once: the normalized path (a target that cannot be
 * normalized without guessing is refused, 400 {@code ambiguous-path}, before any policy is read) and the AI call
 * it is (operation and model, from the path). When a rule of the snapshot reads {@code request.model} and the
 * path names none, the body of a request that has one (whatever its path or method) is held, up to
 * {@link AiAttributesConfig#maxBodyBytes()}, and read for it: a JSON body whose model cannot be read one way only
 * is refused (400 {@code ambiguous-model}); a model that cannot be determined (a body that is not JSON, an
 * upload, a non-JSON body over the cap) is marked undetermined, so rules on it fail closed; a JSON body over the
 * cap is refused with 413 {@code model-body-too-large}.
 */
public final class AiAttributesFilter implements HttpFilter {
    private static final Logger log = LoggerFactory.getLogger(AiAttributesFilter.class);
    private final AiAttributesConfig config;
    private final FilterDecision.Hold hold;

    public AiAttributesFilter(AiAttributesConfig config) {
        this.config = config;
        // over the cap this filter decides itself (with the first bytes): refused when JSON, else undetermined
        this.hold = new FilterDecision.Hold(config.maxBodyBytes(), FilterDecision.OverCap.CONTINUE_WITHOUT);
    }

    @Override
    public String name() {
        return "ai-attributes";
    }

    @Override
    public FilterDecision onRequestHeaders(ExchangeContext exchange, RequestHead head) {
        String path;
        switch (RequestPath.normalize(head.path())) {
            case RequestPath.Result.Refused refused -> {
                return refuse(exchange, "ambiguous-path", refused.reason());
            }
            case RequestPath.Result.Normalized normalized -> path = normalized.path();
        }
        exchange.path(path);
        ModelCall call = ModelCall.of(head.method(), path);
        exchange.call(call);
        Authorizer authorizer = exchange.snapshot().authorizer();
        if (authorizer.isEmpty() || !authorizer.readsModel() || call.model().isPresent() || !exchange.hasBody()) {
            return FilterDecision.CONTINUE;
        }
        if (!readableForModel(head)) { // an upload: the model cannot be read without buffering it all
            exchange.call(call.undetermined());
            return FilterDecision.CONTINUE;
        }
        return hold;
    }

    @Override
    public FilterDecision onHeldRequestBody(ExchangeContext exchange, RequestHead head, ByteBuf body, boolean complete) {
        ModelCall call = exchange.call();
        boolean json = json(head, body);
        int length = body.readableBytes();
        if (!complete && json) {
            return new FilterDecision.Respond(413, "model-body-too-large", "the body is larger than the "
                    + config.maxBodyBytes() + " bytes read to find its model for policy");
        }
        if (!complete || length == 0) {
            exchange.call(length == 0 ? call : call.undetermined());
            return FilterDecision.CONTINUE;
        }
        switch (BodyModel.scan(ByteBufUtil.getBytes(body), length)) {
            case BodyModel.Result.Refused refused when !json -> exchange.call(call.undetermined()); // what the server reads is unknown
            case BodyModel.Result.Refused refused -> {
                return refuse(exchange, "ambiguous-model", refused.reason());
            }
            case BodyModel.Result.Found found -> exchange.call(call.withBodyModel(Optional.of(found.model())));
            case BodyModel.Result.Absent absent -> { }
        }
        return FilterDecision.CONTINUE;
    }

    private FilterDecision refuse(ExchangeContext exchange, String code, String reason) {
        log.warn("refused {} {} from {}: {}", exchange.method(), exchange.target(), ExchangeEvents.who(exchange), reason);
        ExchangeEvents.report(config.events(), SecurityEvent.Type.REQUEST_REFUSED, exchange,
                Map.of(SecurityEvent.Field.REASON, code + ": " + reason));
        return new FilterDecision.Respond(400, code, reason);
    }

    /** Bodies read for their model: any but multipart and raw binary uploads, which hold no JSON to read. */
    static boolean readableForModel(RequestHead head) {
        String type = contentType(head);
        return !type.startsWith("multipart/") && !type.startsWith("application/octet-stream") && !type.startsWith("audio/")
                && !type.startsWith("image/") && !type.startsWith("video/");
    }

    /** Whether the body is meant as JSON: its type says so, or it starts like a JSON object (after a BOM). */
    static boolean json(RequestHead head, ByteBuf body) {
        if (contentType(head).contains("json")) {
            return true;
        }
        for (int i = body.readerIndex(); i < body.writerIndex(); i++) {
            int c = body.getUnsignedByte(i);
            if (c != ' ' && c != '\t' && c != '\r' && c != '\n' && c != 0xef && c != 0xbb && c != 0xbf) {
                return c == '{' || c == '[';
            }
        }
        return false;
    }

    private static String contentType(RequestHead head) {
        String type = head.get(HttpHeaderNames.CONTENT_TYPE);
        return type == null ? "" : type.toLowerCase(Locale.ROOT);
    }
}
