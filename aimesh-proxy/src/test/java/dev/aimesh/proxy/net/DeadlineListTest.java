package dev.aimesh.proxy.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeadlineListTest {
    private final DeadlineList deadlines = new DeadlineList();
    private final List<String> ran = new ArrayList<>();

    private DeadlineList.Entry add(long at, String name) {
        return deadlines.add(at, () -> ran.add(name));
    }

    @Test
    void dueDeadlinesRunInTheOrderTheyFallWhateverTheOrderTheyCameIn() {
        add(30, "c");
        add(10, "a");
        add(20, "b");
        add(20, "b2"); // same time: after the one added before it
        add(40, "d");

        assertThat(deadlines.earliest()).isEqualTo(10);
        assertThat(deadlines.runDue(29)).isEqualTo(3);
        assertThat(ran).containsExactly("a", "b", "b2");
        assertThat(deadlines.earliest()).isEqualTo(30);
        assertThat(deadlines.runDue(30)).as("a deadline falling exactly now is due").isEqualTo(1);
        assertThat(deadlines.size()).isEqualTo(1);
    }

    @Test
    void aCancelledDeadlineNeverRunsWhereverItIsInTheList() {
        DeadlineList.Entry head = add(10, "head");
        DeadlineList.Entry middle = add(20, "middle");
        add(30, "kept");
        DeadlineList.Entry tail = add(40, "tail");

        middle.cancel();
        head.cancel();
        tail.cancel();
        tail.cancel(); // twice: a no-op

        assertThat(deadlines.size()).isEqualTo(1);
        assertThat(deadlines.earliest()).isEqualTo(30);
        deadlines.runDue(100);
        assertThat(ran).containsExactly("kept");
        assertThat(deadlines.earliest()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void cancellingADeadlineThatAlreadyRanChangesNothing() {
        DeadlineList.Entry done = add(10, "done");
        add(50, "later");
        deadlines.runDue(10);

        done.cancel();

        assertThat(deadlines.size()).isEqualTo(1);
        assertThat(deadlines.earliest()).isEqualTo(50);
    }

    @Test
    void timesCompareAcrossTheWrapOfTheNanosecondClock() {
        add(Long.MAX_VALUE - 5, "before the wrap");
        add(Long.MAX_VALUE + 10, "after the wrap"); // wraps to a negative number, still later

        assertThat(deadlines.runDue(Long.MAX_VALUE)).isEqualTo(1);
        assertThat(ran).containsExactly("before the wrap");
    }

    @Test
    void aDeadlineAddedWhileTheDueOnesRunRunsInTheSamePassWhenDue() {
        deadlines.add(10, () -> {
            ran.add("first");
            add(15, "added by the first");
        });
        assertThat(deadlines.runDue(20)).isEqualTo(2);
        assertThat(ran).containsExactly("first", "added by the first");
    }
}
