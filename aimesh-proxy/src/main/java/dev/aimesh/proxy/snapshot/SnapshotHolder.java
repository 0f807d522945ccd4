package dev.aimesh.proxy.snapshot;

import static java.util.Objects.requireNonNull;

/**
 * The one reference through which a proxy's policy changes: the config client publishes a whole
 * {@link ProxySnapshot}, listeners and exchanges read the current one (once per connection or exchange).
 */
public final class SnapshotHolder {
    private volatile ProxySnapshot current;

    public SnapshotHolder(ProxySnapshot initial) {
        this.current = requireNonNull(initial, "initial");
    }

    public ProxySnapshot current() {
        return current;
    }

    public void publish(ProxySnapshot next) {
        current = requireNonNull(next, "next");
    }

    /** Where an exchange of one side finds its snapshot and chain. */
    public record Source(SnapshotHolder holder, ProxySnapshot.Side side) {
        public Source {
            requireNonNull(holder, "holder");
            requireNonNull(side, "side");
        }
    }
}
