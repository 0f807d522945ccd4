package dev.aimesh.core.resource;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import dev.aimesh.core.authz.Ports;
import dev.aimesh.core.config.MappingReader;
import dev.aimesh.core.config.Position;
import dev.aimesh.core.resource.PeerAuthentication.MtlsMode;

/** Decodes and validates a PeerAuthentication, reporting every problem with its field path. */
final class PeerAuthenticationDecoder {
    private PeerAuthenticationDecoder() {}

    static Optional<Resource> decode(ObjectMeta metadata, Position position, MappingReader spec) {
        Optional<Map<String, String>> selector = LabelSelectorDecoder.istioSelector(spec);
        MtlsMode mode = spec.mapping("mtls").map(PeerAuthenticationDecoder::mode).orElse(MtlsMode.UNSET);
        Map<Integer, MtlsMode> portModes = new LinkedHashMap<>();
        spec.mapping("portLevelMtls").ifPresent(ports -> {
            for (String key : ports.keys()) {
                Optional<MtlsMode> portMode = ports.mapping(key).map(PeerAuthenticationDecoder::mode);
                try {
                    int port = Ports.parse(key);
                    portMode.ifPresent(m -> portModes.put(port, m));
                } catch (IllegalArgumentException e) {
                    ports.error(key, e.getMessage());
                }
            }
            ports.finish();
            // Istio refuses port-level modes without a selector: a port means something only for one workload
            if (!ports.keys().isEmpty() && selector.isEmpty()) {
                spec.error("portLevelMtls", "needs a selector (port-level modes apply to selected workloads only)");
            }
        });
        spec.finish();
        return Optional.of(new PeerAuthentication(metadata, position, selector, mode, portModes));
    }

    private static MtlsMode mode(MappingReader mtls) {
        MtlsMode mode = mtls.value("mode", MtlsMode::parse).orElse(MtlsMode.UNSET);
        mtls.finish();
        return mode;
    }
}
