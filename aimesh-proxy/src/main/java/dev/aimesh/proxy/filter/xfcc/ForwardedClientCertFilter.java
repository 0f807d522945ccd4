package dev.aimesh.proxy.filter.xfcc;

import dev.aimesh.proxy.filter.ExchangeContext;
import dev.aimesh.proxy.filter.FilterDecision;
import dev.aimesh.proxy.filter.HeaderMap;
import dev.aimesh.proxy.filter.HttpFilter;
import dev.aimesh.proxy.filter.RequestHead;

/**
 * The caller's identity to the model server, only as the proxy vouches for it: {@code x-forwarded-client-cert}
 * is set from the verified peer (replacing any the client sent) or removed for a plain-text caller; in trailers,
 * neither it nor a header only the proxy may write from a token ({@code ProxySnapshot.identityHeaders}) passes,
 * since identity travels in headers only.
 */
public final class ForwardedClientCertFilter implements HttpFilter {
    private final ForwardedClientCertConfig config;

    public ForwardedClientCertFilter(ForwardedClientCertConfig config) {
        this.config = config;
    }

    @Override
    public String name() {
        return "xfcc";
    }

    @Override
    public int hooks() {
        return REQUEST_TRAILERS;
    }

    @Override
    public FilterDecision onRequestHeaders(ExchangeContext exchange, RequestHead head) {
        if (exchange.peer() != null) {
            head.set(config.header(), exchange.peer().forwardedClientCert());
        } else {
            head.remove(config.header()); // a plain-text caller vouches for nobody
        }
        return FilterDecision.CONTINUE;
    }

    @Override
    public FilterDecision onRequestTrailers(ExchangeContext exchange, HeaderMap trailers) {
        trailers.remove(config.header());
        for (String header : exchange.snapshot().identityHeaders()) {
            trailers.remove(header);
        }
        return FilterDecision.CONTINUE;
    }
}
