package dev.aimesh.proxy.filter;

import java.net.SocketAddress;
import java.util.Optional;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import dev.aimesh.core.ai.ModelCall;
import dev.aimesh.core.authz.AuthzRequest;
import dev.aimesh.core.identity.SpiffeId;
import dev.aimesh.core.registry.WorkloadEntry;
import dev.aimesh.proxy.snapshot.ProxySnapshot;

/**
 * One exchange as its filters share it: the policy snapshot read once when its head arrived (every decision
 * of the exchange is made with it), the verified peer, the request attributes filters establish (normalized
 * path, model call, end-user token, destination) and one state slot per filter. Used on the exchange's event
 * loop only.
 */
public final class ExchangeContext {
    private final ProxySnapshot snapshot;
    private final FilterChain chain;
    private final Channel downstream;
    private final PeerIdentity peer;
    private final String method;
    private final String target;
    private final long startNanos;
    private final Object[] state;
    /** The filter whose hook runs, whose slot {@link #state()} is; set by the chain. */
    int current = -1;
    /** The next filter of the request-headers phase (it resumes there after a hold). */
    int resumeAt;
    /** The filter that holds the body, or -1. */
    int holder = -1;
    boolean ended;
    private String path;
    private ModelCall call = ModelCall.NONE;
    private Optional<AuthzRequest.Token> token = Optional.empty();
    private WorkloadEntry destination;
    private String authority;
    private final boolean hasBody;
    /** The body a filter gave in place of the one it held, until the exchange takes it. */
    private ByteBuf replacedBody;

    ExchangeContext(ProxySnapshot snapshot, FilterChain chain, Channel downstream, String method, String target,
            boolean hasBody, long startNanos) {
        this.hasBody = hasBody;
        this.snapshot = snapshot;
        this.chain = chain;
        this.downstream = downstream;
        this.peer = PeerIdentity.of(downstream);
        this.method = method;
        this.target = target;
        this.startNanos = startNanos;
        this.state = new Object[chain.size()];
    }

    /** The policy this exchange is decided with, from its start to its end. */
    public ProxySnapshot snapshot() {
        return snapshot;
    }

    public FilterChain chain() {
        return chain;
    }

    /** The verified peer of the connection, or null for a plain-text one. */
    public PeerIdentity peer() {
        return peer;
    }

    public Optional<SpiffeId> peerId() {
        return peer == null ? Optional.empty() : Optional.of(peer.id());
    }

    /** The connection or HTTP/2 stream the request came on. */
    public Channel downstream() {
        return downstream;
    }

    public SocketAddress remoteAddress() {
        return downstream.remoteAddress();
    }

    public SocketAddress localAddress() {
        return downstream.localAddress();
    }

    /** The method as the client sent it. */
    public String method() {
        return method;
    }

    /** The request target as the client sent it (events name it so). */
    public String target() {
        return target;
    }

    public long startNanos() {
        return startNanos;
    }

    /** The running filter's state (null until it sets one). */
    public Object state() {
        return state[current];
    }

    public void state(Object value) {
        state[current] = value;
    }

    /** The normalized path policy decides on (without its query), or null before it is established. */
    public String path() {
        return path;
    }

    public void path(String normalized) {
        this.path = normalized;
    }

    /** The AI operation and model the request is a call of ({@link ModelCall#NONE} until established). */
    public ModelCall call() {
        return call;
    }

    public void call(ModelCall value) {
        this.call = value;
    }

    /** The verified end-user token (empty: anonymous). */
    public Optional<AuthzRequest.Token> token() {
        return token;
    }

    public void token(Optional<AuthzRequest.Token> value) {
        this.token = value;
    }

    /** Outbound: the workload the request is for, or null before it is resolved. */
    public WorkloadEntry destination() {
        return destination;
    }

    public void destination(WorkloadEntry value) {
        this.destination = value;
    }

    /** Outbound: the authority the call named ({@code host[:port]}), which the next hop is sent as its Host. */
    public String authority() {
        return authority;
    }

    public void authority(String value) {
        this.authority = value;
    }

    void replaceBody(ByteBuf body) {
        if (replacedBody != null) {
            replacedBody.release();
        }
        replacedBody = body;
    }

    /**
     * For the exchange, once the held body's filter has decided: the body it gave in place of the one it held (the
     * caller then owns it), or null when it gave none.
     */
    public ByteBuf takeReplacedBody() {
        ByteBuf body = replacedBody;
        replacedBody = null;
        return body;
    }

    /**
     * Whether the request has a body: HTTP/1.1 says so with Content-Length or Transfer-Encoding; an HTTP/2
     * stream has one unless it ended with its headers.
     */
    public boolean hasBody() {
        return hasBody;
    }
}
