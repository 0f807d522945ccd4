package dev.aimesh.core.registry;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The endpoints a restarted control plane serves. Right after a restart only some proxies have rejoined
 * (each retries on its own backoff), so the endpoints of the proxies connected now would leave a workload
 * whose proxy has not rejoined yet with none, and its callers refused. Until the grace ends, a workload
 * none of whose proxies has rejoined keeps the endpoints served before the restart; once one of its
 * proxies has rejoined, or the grace is over, only the connected proxies count, so a proxy that really
 * went away is removed (at the latest when the grace ends).
 */
public final class RestartGrace {
    private final Map<String, List<String>> remembered;
    private final Instant ends;
    private final Set<String> rejoined = new HashSet<>();

    /** {@code remembered}: the endpoints by workload served before the restart, at {@code startedAt}. */
    public RestartGrace(Map<String, List<String>> remembered, Instant startedAt, Duration grace) {
        this.remembered = Map.copyOf(remembered);
        this.ends = startedAt.plus(grace);
    }

    /** A control plane with nothing remembered: only connected proxies count. */
    public static RestartGrace none(Instant now) {
        return new RestartGrace(Map.of(), now, Duration.ZERO);
    }

    /** When the remembered endpoints stop counting. */
    public Instant ends() {
        return ends;
    }

    /** Whether some remembered endpoint still counts at {@code now}. */
    public synchronized boolean active(Instant now) {
        return now.isBefore(ends) && !rejoined.containsAll(remembered.keySet());
    }

    /** The endpoints to serve at {@code now}, given those of the proxies connected now; sorted by workload. */
    public synchronized Map<String, List<String>> serve(Map<String, List<String>> connected, Instant now) {
        Map<String, List<String>> served = new TreeMap<>();
        connected.forEach((workload, addresses) -> {
            if (!addresses.isEmpty()) {
                rejoined.add(workload);
                served.put(workload, List.copyOf(addresses));
            }
        });
        if (now.isBefore(ends)) {
            remembered.forEach((workload, addresses) -> {
                if (!rejoined.contains(workload) && !addresses.isEmpty()) {
                    served.put(workload, addresses);
                }
            });
        }
        return served;
    }
}
