package dev.aimesh.proxy.net;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.ScheduledFuture;

/**
 * The timer of one event loop for deadlines that every exchange sets (the response timeout): one
 * {@link DeadlineList} and at most one task in the loop's scheduled queue, armed for the earliest deadline. An
 * exchange adds an entry and cancels it when its answer comes, instead of scheduling and cancelling a task of
 * its own, which costs a scheduled-queue insertion and removal (and an allocation heavier than an entry).
 */
public final class LoopDeadlines {
    private static final FastThreadLocal<LoopDeadlines> OF_THIS_LOOP = new FastThreadLocal<>();

    private final EventExecutor loop;
    private final DeadlineList deadlines = new DeadlineList();
    private ScheduledFuture<?> armed;
    private long armedFor;

    LoopDeadlines(EventExecutor loop) {
        this.loop = loop;
    }

    /** The deadlines of {@code loop}, called on it. */
    public static LoopDeadlines of(EventExecutor loop) {
        LoopDeadlines mine = OF_THIS_LOOP.get();
        if (mine == null || mine.loop != loop) {
            mine = new LoopDeadlines(loop);
            OF_THIS_LOOP.set(mine);
        }
        return mine;
    }

    /** Runs {@code onDue} on this loop {@code after} from now (the loop's ticker) unless the entry is cancelled first. */
    public DeadlineList.Entry after(Duration after, Runnable onDue) {
        long at = loop.ticker().nanoTime() + after.toNanos();
        DeadlineList.Entry entry = deadlines.add(at, onDue);
        if (armed == null || at - armedFor < 0) {
            arm(at);
        }
        return entry;
    }

    int pending() {
        return deadlines.size();
    }

    private void arm(long at) {
        if (armed != null) {
            armed.cancel(false);
        }
        armedFor = at;
        armed = loop.schedule(this::fire, Math.max(0, at - loop.ticker().nanoTime()), TimeUnit.NANOSECONDS);
    }

    private void fire() {
        armed = null;
        deadlines.runDue(loop.ticker().nanoTime());
        if (deadlines.size() > 0) {
            arm(deadlines.earliest()); // a cancelled head leaves a later one: the task wakes for it then
        }
    }
}
