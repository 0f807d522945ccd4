package dev.aimesh.proxy.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.InstantSource;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;
import dev.aimesh.proxy.filter.TestExchanges;
import dev.aimesh.proxy.filter.common.SecurityEventSink;
import dev.aimesh.proxy.outbound.OutboundChain;
import dev.aimesh.proxy.outbound.PeerRoute;
import dev.aimesh.proxy.snapshot.ProxySnapshot;

/** The chains are in the order of ARCHITECTURE.md, and made up per snapshot. */
class InboundChainTest {
    @Test
    void theInboundOrderIsThatOfTheArchitectureAndJwtOnlyWhenTheSnapshotHasRules() {
        InboundChain chains = new InboundChain(TestExchanges.upstream(new EmbeddedChannel()), 8000, InstantSource.system(),
                SecurityEventSink.NONE);
        assertThat(chains.assemble(ProxySnapshot.Policy.NONE).names())
                .containsExactly("netpol", "peer-authn", "ai-attributes", "authz", "hop-by-hop", "xfcc");
        ProxySnapshot.Policy withJwt = dev.aimesh.proxy.filter.authn.RequestAuthenticationFilterTest.policy();
        assertThat(chains.assemble(withJwt).names())
                .containsExactly("netpol", "peer-authn", "jwt", "ai-attributes", "authz", "hop-by-hop", "xfcc");
    }

    @Test
    void theOutboundOrderResolvesTheDestinationBeforeEgressPolicy() {
        OutboundChain chains = new OutboundChain(new PeerRoute((address, id) -> {
            throw new AssertionError("no call is routed here");
        }), SecurityEventSink.NONE);
        assertThat(chains.assemble(ProxySnapshot.Policy.NONE).names()).containsExactly("destination", "egress", "hop-by-hop");
    }
}
