package dev.aimesh.proxy.filter;

/**
 * The end of a chain's request phase: picks the upstream the request goes to, once every filter let it
 * through, or answers it ({@link FilterDecision.Respond}) when there is none.
 */
@FunctionalInterface
public interface Route {
    /** {@link ChainStep.Forward} or {@link FilterDecision.Respond}. */
    ChainStep pick(ExchangeContext exchange, RequestHead head);
}
