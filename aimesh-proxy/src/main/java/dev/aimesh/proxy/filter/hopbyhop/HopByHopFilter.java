package dev.aimesh.proxy.filter.hopbyhop;

import dev.aimesh.proxy.filter.ExchangeContext;
import dev.aimesh.proxy.filter.FilterDecision;
import dev.aimesh.proxy.filter.HttpFilter;
import dev.aimesh.proxy.filter.RequestHead;
import dev.aimesh.proxy.http.HopByHop;

/**
 * Removes the request's hop-by-hop headers ({@link HopByHop}) once policy let it through and before the
 * proxy writes the headers it vouches for, so a {@code Connection} header can neither hide a header from the
 * filters before it nor remove one the proxy sets after it.
 */
public final class HopByHopFilter implements HttpFilter {
    @Override
    public String name() {
        return "hop-by-hop";
    }

    @Override
    public FilterDecision onRequestHeaders(ExchangeContext exchange, RequestHead head) {
        HopByHop.strip(head);
        return FilterDecision.CONTINUE;
    }
}
