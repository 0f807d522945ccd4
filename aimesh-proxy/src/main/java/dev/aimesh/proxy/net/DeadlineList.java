package dev.aimesh.proxy.net;

/**
 * Deadlines in the order they fall, as a doubly linked list: adding one walks back from the tail (where it lands
 * at once when every deadline is now plus the same timeout), removing one unlinks it, and the due ones are taken
 * from the head. Single-threaded: one event loop's. Times are {@link System#nanoTime()}-style nanoseconds.
 */
public final class DeadlineList {
    /** One deadline; {@link #cancel()} takes it out (a no-op once it fell or was cancelled). */
    public final class Entry {
        private final long at;
        private Runnable onDue;
        private Entry previous;
        private Entry next;

        private Entry(long at, Runnable onDue) {
            this.at = at;
            this.onDue = onDue;
        }

        public void cancel() {
            if (onDue != null) {
                unlink(this);
            }
        }
    }

    private Entry head;
    private Entry tail;
    private int size;

    public Entry add(long at, Runnable onDue) {
        Entry entry = new Entry(at, onDue);
        Entry after = tail;
        while (after != null && after.at - at > 0) { // compared as nanoTime values are: across a wrap
            after = after.previous;
        }
        entry.previous = after;
        entry.next = after == null ? head : after.next;
        if (entry.next == null) {
            tail = entry;
        } else {
            entry.next.previous = entry;
        }
        if (after == null) {
            head = entry;
        } else {
            after.next = entry;
        }
        size++;
        return entry;
    }

    /** When the earliest deadline falls, or {@link Long#MAX_VALUE} when there is none. */
    public long earliest() {
        return head == null ? Long.MAX_VALUE : head.at;
    }

    public int size() {
        return size;
    }

    /** Runs, in order, every deadline due at {@code now}, each taken out before it runs; returns how many ran. */
    public int runDue(long now) {
        int ran = 0;
        while (head != null && head.at - now <= 0) {
            Entry due = head;
            Runnable onDue = due.onDue;
            unlink(due);
            onDue.run();
            ran++;
        }
        return ran;
    }

    private void unlink(Entry entry) {
        if (entry.previous == null) {
            head = entry.next;
        } else {
            entry.previous.next = entry.next;
        }
        if (entry.next == null) {
            tail = entry.previous;
        } else {
            entry.next.previous = entry.previous;
        }
        entry.previous = null;
        entry.next = null;
        entry.onDue = null;
        size--;
    }
}
