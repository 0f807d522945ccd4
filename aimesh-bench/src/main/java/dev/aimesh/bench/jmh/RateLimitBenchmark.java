package dev.aimesh.bench.jmh;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import dev.aimesh.core.ai.AiOperation;
import dev.aimesh.core.ai.ModelCall;
import dev.aimesh.core.identity.SpiffeId;
import dev.aimesh.core.ratelimit.RateLimits;
import dev.aimesh.core.resource.ConfigLoader;
import dev.aimesh.core.resource.RateLimitPolicy;
import dev.aimesh.proxy.filter.ratelimit.LocalCounters;

/**
 * P12: a local rate-limit decision. {@code take}: the counters' check-and-take for one limit and a known key (the
 * decision itself, GCRA with a compare-and-set); {@code applyingAndTake}: picking the limits that apply to a request
 * and their keys first, as the filter does per request. The limit is large enough never to refuse, and time moves
 * on by a microsecond an operation, so every operation takes.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class RateLimitBenchmark {
    private final Optional<SpiffeId> caller = Optional.of(SpiffeId.parse("spiffe://cluster.local/ns/apps/sa/chat-app"));
    private final ModelCall call = new ModelCall(Optional.of(AiOperation.CHAT), Optional.of("sentiment-v1"), Optional.empty());
    private final long[] one = {1};
    private LocalCounters counters;
    private RateLimits limits;
    private List<RateLimits.Applied> applied;
    private long now;

    @Setup
    public void setup() {
        var loaded = ConfigLoader.load(List.of(new ConfigLoader.SourceFile("limits.yaml", """
                apiVersion: aimesh.dev/v1alpha1
                kind: RateLimitPolicy
                metadata: {name: budget, namespace: models}
                spec:
                  limits:
                  - {name: calls, requests: 1000000000, per: 1s, when: {operations: [chat]}}
                """)));
        limits = RateLimits.compile(loaded.resources().stream().map(RateLimitPolicy.class::cast).toList());
        counters = new LocalCounters(LocalCounters.DEFAULT_MAX_KEYS);
        applied = limits.applying(caller, call, Optional.empty());
        now = 1_000_000_000L;
    }

    @Benchmark
    public boolean take() {
        now += 1_000;
        return counters.take(applied, one, now).taken();
    }

    @Benchmark
    public boolean applyingAndTake() {
        now += 1_000;
        return counters.take(limits.applying(caller, call, Optional.empty()), one, now).taken();
    }
}
