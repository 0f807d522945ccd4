package dev.aimesh.proxy.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** On an {@link EmbeddedChannel}'s loop, whose clock moves only when the test moves it. */
class LoopDeadlinesTest {
    private final EmbeddedChannel channel = frozen(new EmbeddedChannel());
    private final LoopDeadlines deadlines = LoopDeadlines.of(channel.eventLoop());

    private static EmbeddedChannel frozen(EmbeddedChannel channel) {
        channel.freezeTime();
        return channel;
    }
    private final List<String> ran = new ArrayList<>();

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    private void advance(Duration by) {
        channel.advanceTimeBy(by.toNanos(), TimeUnit.NANOSECONDS);
        channel.runScheduledPendingTasks();
    }

    @Test
    void aDeadlineRunsWhenItFallsAndNotBefore() {
        deadlines.after(Duration.ofSeconds(5), () -> ran.add("timed out"));

        advance(Duration.ofMillis(4_999));
        assertThat(ran).isEmpty();
        advance(Duration.ofMillis(1));
        assertThat(ran).containsExactly("timed out");
        assertThat(deadlines.pending()).isZero();
    }

    @Test
    void aCancelledEarliestDeadlineLeavesTheTimerToWakeForTheNextOne() {
        DeadlineList.Entry first = deadlines.after(Duration.ofSeconds(1), () -> ran.add("first"));
        deadlines.after(Duration.ofSeconds(3), () -> ran.add("second"));
        first.cancel();

        advance(Duration.ofSeconds(2));
        assertThat(ran).isEmpty();
        advance(Duration.ofSeconds(1));
        assertThat(ran).containsExactly("second");
    }

    @Test
    void aDeadlineEarlierThanTheArmedOneIsNotKeptWaitingForIt() {
        deadlines.after(Duration.ofSeconds(10), () -> ran.add("late"));
        deadlines.after(Duration.ofSeconds(1), () -> ran.add("early"));

        advance(Duration.ofSeconds(1));
        assertThat(ran).containsExactly("early");
        advance(Duration.ofSeconds(9));
        assertThat(ran).containsExactly("early", "late");
    }

    @Test
    void theLoopKeepsOneSetOfDeadlines() {
        assertThat(LoopDeadlines.of(channel.eventLoop())).isSameAs(deadlines);
        EmbeddedChannel other = new EmbeddedChannel();
        try {
            assertThat(LoopDeadlines.of(other.eventLoop())).as("another loop has its own").isNotSameAs(deadlines);
        } finally {
            other.finishAndReleaseAll();
        }
    }
}
