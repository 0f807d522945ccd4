package dev.aimesh.proxy.agent;

import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import dev.aimesh.core.authz.Authorizer;
import dev.aimesh.core.authz.PolicySelection;
import dev.aimesh.core.config.Diagnostic;
import dev.aimesh.core.dlp.DlpRules;
import dev.aimesh.core.dlp.ValueHashes;
import dev.aimesh.core.ratelimit.RateLimits;
import dev.aimesh.core.registry.ConfigSnapshot;
import dev.aimesh.core.registry.WorkloadEntry;
import dev.aimesh.core.resource.MeshConfig;
import dev.aimesh.core.resource.Workload;
import dev.aimesh.proxy.filter.authn.JwksSources;
import dev.aimesh.proxy.filter.authn.RequestAuthenticator;
import dev.aimesh.proxy.filter.ratelimit.TokenCounts;

/**
 * Compiles the typed resources of a snapshot (those that concern this workload, validated by the control
 * plane) into what the filters that enforce them use (authorization, end-user authentication, data-loss prevention, rate limits), or says why
 * it cannot. Nothing here decodes YAML or JSON.
 */
public final class PolicyCompiler {
    private final String namespace;
    private final String name;
    private final JwksSources jwks;
    private final InstantSource clock;
    private final ValueHashes hashes;

    /** DLP findings are hashed with a salt of this process's own (16 random bytes). */
    public PolicyCompiler(String namespace, String name, JwksSources jwks, InstantSource clock) {
        this(namespace, name, jwks, clock, new ValueHashes(randomSalt()));
    }

    public PolicyCompiler(String namespace, String name, JwksSources jwks, InstantSource clock, ValueHashes hashes) {
        this.namespace = namespace;
        this.name = name;
        this.jwks = jwks;
        this.clock = clock;
        this.hashes = hashes;
    }

    private static byte[] randomSalt() {
        byte[] salt = new byte[16];
        new java.security.SecureRandom().nextBytes(salt);
        return salt;
    }

    /** The compiled policies, or the problems that make the snapshot unusable (the proxy NACKs it). */
    public sealed interface Result {
        /** {@code forwardedPath}: which path this workload's model server is sent (its Workload's inbound setting). */
        record Compiled(MeshConfig config, Authorizer authorizer, RequestAuthenticator authenticator,
                Workload.ForwardedPath forwardedPath, DlpRules dlp, RateLimits rateLimits) implements Result {}

        record Rejected(String reason) implements Result {}
    }

    public Result compile(ConfigSnapshot snapshot) {
        // Resources are keyed by kind and name, so the only conflict left is a second Mesh.
        MeshConfig.Assembled assembled = MeshConfig.assemble(snapshot.resources());
        List<Diagnostic> problems = assembled.problems();
        if (!problems.isEmpty()) {
            return new Result.Rejected(problems.size() + " problem(s) in the config, first: " + problems.get(0));
        }
        Map<String, String> labels = snapshot.workload(namespace, name).map(WorkloadEntry::labels).orElse(Map.of());
        MeshConfig config = assembled.config();
        try {
            RequestAuthenticator authenticator = RequestAuthenticator.compile(PolicySelection.authenticationsFor(
                    config.requestAuthentications(), config.mesh().authorization().rootNamespace(), namespace, name, labels),
                    jwks, clock);
            Workload.ForwardedPath forwardedPath = config.workloads().stream()
                    .filter(w -> w.namespace().equals(namespace) && w.name().equals(name))
                    .flatMap(w -> w.inbound().stream()).map(Workload.Inbound::forwardedPath).findFirst()
                    .orElse(Workload.ForwardedPath.NORMALIZED);
            DlpRules dlp = DlpRules.compile(PolicySelection.dataLossPreventionFor(config.dataLossPreventionPolicies(),
                    config.mesh().authorization().rootNamespace(), namespace, name, labels), hashes);
            RateLimits rateLimits = RateLimits.compile(PolicySelection.rateLimitsFor(config.rateLimitPolicies(),
                    config.mesh().authorization().rootNamespace(), namespace, name, labels));
            if (rateLimits.countsTokens()) {
                TokenCounts.load(); // here, off the event loops, before the first request needs it
            }
            return new Result.Compiled(config, Authorizer.forWorkload(config, namespace, name, labels), authenticator,
                    forwardedPath, dlp, rateLimits);
        } catch (IllegalArgumentException e) {
            return new Result.Rejected(e.getMessage());
        }
    }
}
