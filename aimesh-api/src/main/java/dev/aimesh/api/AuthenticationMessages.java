package dev.aimesh.api;

import static dev.aimesh.api.ProtoFields.duration;
import static dev.aimesh.api.ProtoFields.metadata;
import static dev.aimesh.api.ProtoFields.position;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import dev.aimesh.core.resource.PeerAuthentication;
import dev.aimesh.core.resource.PeerAuthentication.MtlsMode;
import dev.aimesh.core.resource.RequestAuthentication;
import dev.aimesh.core.resource.RequestAuthentication.ClaimToHeader;
import dev.aimesh.core.resource.RequestAuthentication.HeaderLocation;
import dev.aimesh.core.resource.RequestAuthentication.JwtRule;

/** {@link RequestAuthentication} and {@link PeerAuthentication} to and from their messages. */
final class AuthenticationMessages {
    private AuthenticationMessages() {}

    static dev.aimesh.api.v1.RequestAuthentication toProto(RequestAuthentication policy) {
        var builder = dev.aimesh.api.v1.RequestAuthentication.newBuilder().setMetadata(metadata(policy.metadata()))
                .setPosition(position(policy.position())).addAllTargets(policy.targets());
        policy.selector().ifPresent(s -> builder.setSelector(ProtoFields.labels(s)));
        for (JwtRule rule : policy.jwtRules()) {
            var r = dev.aimesh.api.v1.RequestAuthentication.JwtRule.newBuilder().setIssuer(rule.issuer())
                    .addAllAudiences(rule.audiences()).addAllFromParams(rule.fromParams())
                    .addAllFromCookies(rule.fromCookies()).setForwardOriginalToken(rule.forwardOriginalToken())
                    .setTimeout(duration(rule.timeout()));
            rule.jwksUri().ifPresent(r::setJwksUri);
            rule.jwks().ifPresent(r::setJwks);
            rule.outputPayloadToHeader().ifPresent(r::setOutputPayloadToHeader);
            rule.fromHeaders().forEach(h -> r.addFromHeaders(dev.aimesh.api.v1.RequestAuthentication.HeaderLocation.newBuilder()
                    .setName(h.name()).setPrefix(h.prefix())));
            rule.outputClaimToHeaders().forEach(c -> r.addOutputClaimToHeaders(
                    dev.aimesh.api.v1.RequestAuthentication.ClaimToHeader.newBuilder().setHeader(c.header()).setClaim(c.claim())));
            builder.addJwtRules(r);
        }
        return builder.build();
    }

    static RequestAuthentication fromProto(dev.aimesh.api.v1.RequestAuthentication message) {
        return new RequestAuthentication(metadata(message.getMetadata()), position(message.getPosition()),
                ProtoFields.selector(message.hasSelector(), message.getSelector()), message.getTargetsList(),
                message.getJwtRulesList().stream().map(r -> new JwtRule(r.getIssuer(), r.getAudiencesList(),
                        r.hasJwksUri() ? Optional.of(r.getJwksUri()) : Optional.empty(),
                        r.hasJwks() ? Optional.of(r.getJwks()) : Optional.empty(),
                        r.getFromHeadersList().stream().map(h -> new HeaderLocation(h.getName(), h.getPrefix())).toList(),
                        r.getFromParamsList(), r.getFromCookiesList(),
                        r.hasOutputPayloadToHeader() ? Optional.of(r.getOutputPayloadToHeader()) : Optional.empty(),
                        r.getOutputClaimToHeadersList().stream().map(c -> new ClaimToHeader(c.getHeader(), c.getClaim())).toList(),
                        r.getForwardOriginalToken(), duration(r.getTimeout()))).toList());
    }

    static dev.aimesh.api.v1.PeerAuthentication toProto(PeerAuthentication policy) {
        var builder = dev.aimesh.api.v1.PeerAuthentication.newBuilder().setMetadata(metadata(policy.metadata()))
                .setPosition(position(policy.position())).setMode(mode(policy.mode()));
        policy.selector().ifPresent(s -> builder.setSelector(ProtoFields.labels(s)));
        policy.portModes().forEach((port, mode) -> builder.putPortModes(port, mode(mode)));
        return builder.build();
    }

    static PeerAuthentication fromProto(dev.aimesh.api.v1.PeerAuthentication message) {
        Map<Integer, MtlsMode> ports = new TreeMap<>();
        message.getPortModesValueMap().forEach((port, mode) -> ports.put(port, mode("portLevelMtls[" + port + "]", mode)));
        return new PeerAuthentication(metadata(message.getMetadata()), position(message.getPosition()),
                ProtoFields.selector(message.hasSelector(), message.getSelector()), mode("mtls.mode", message.getModeValue()),
                ports);
    }

    private static dev.aimesh.api.v1.PeerAuthentication.MtlsMode mode(MtlsMode mode) {
        return dev.aimesh.api.v1.PeerAuthentication.MtlsMode.valueOf(mode.name());
    }

    private static MtlsMode mode(String field, int value) {
        return switch (value) {
            case dev.aimesh.api.v1.PeerAuthentication.MtlsMode.UNSET_VALUE -> MtlsMode.UNSET;
            case dev.aimesh.api.v1.PeerAuthentication.MtlsMode.DISABLE_VALUE -> MtlsMode.DISABLE;
            case dev.aimesh.api.v1.PeerAuthentication.MtlsMode.PERMISSIVE_VALUE -> MtlsMode.PERMISSIVE;
            case dev.aimesh.api.v1.PeerAuthentication.MtlsMode.STRICT_VALUE -> MtlsMode.STRICT;
            default -> throw ProtoFields.unknown(field, value, "UNSET, DISABLE, PERMISSIVE or STRICT");
        };
    }
}
