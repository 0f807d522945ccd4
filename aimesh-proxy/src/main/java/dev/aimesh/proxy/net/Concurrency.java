package dev.aimesh.proxy.net;

import java.util.function.IntSupplier;

/**
 * How many event loops a proxy runs (as Envoy's {@code --concurrency}): each loop is one thread that owns its
 * connections, so this is also how many cores the proxy can keep busy. The default is the number of cores
 * the process may use, as {@link Runtime#availableProcessors()} reports them: it honours {@code taskset}, CPU
 * sets and cgroup CPU quotas, so a sidecar limited to one core runs one loop instead of one per host core.
 */
public record Concurrency(int loops) {
    /** More loops than this only add threads, stacks and per-loop pools no machine here can keep busy. */
    public static final int MAX = 256;

    public Concurrency {
        if (loops < 1 || loops > MAX) {
            throw new IllegalArgumentException("--concurrency: " + loops + " (expected: 1 to " + MAX
                    + " event loops; without the option, one per core this process may use)");
        }
    }

    /** {@code requested} when given, else one loop per core the process may use. */
    public static Concurrency of(Integer requested, IntSupplier availableCores) {
        return new Concurrency(requested != null ? requested : Math.min(MAX, Math.max(1, availableCores.getAsInt())));
    }

    /** One loop per core this process may use. */
    public static Concurrency ofAvailableCores() {
        return of(null, Runtime.getRuntime()::availableProcessors);
    }
}
