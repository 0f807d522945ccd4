package dev.aimesh.core.http;

import java.util.ArrayDeque;

/**
 * The stream IDs an HTTP/2 client passed over when it opened streams out of sequence (1, then 7: 3 and 5 were
 * skipped). Such an ID can never be opened any more (RFC 9113 5.1.1), so a HEADERS frame on it is a connection
 * error, unlike one on a stream that was opened and has closed since (a stream error). A well-behaved client
 * skips nothing; at most {@link #MAX_GAPS} gaps are remembered, the oldest forgotten first, so a client that
 * skips on purpose costs a bounded amount of memory (on a forgotten gap it gets the stream error).
 */
public final class SkippedStreamIds {
    public static final int MAX_GAPS = 64;

    /** Each gap as {lowExclusive, highExclusive}, in increasing order. */
    private final ArrayDeque<int[]> gaps = new ArrayDeque<>();
    private int highestOpened;

    /** A client stream was opened; {@code id} is greater than every one opened before (the codec checks that). */
    public void opened(int id) {
        if (id > highestOpened + 2) {
            if (gaps.size() == MAX_GAPS) {
                gaps.removeFirst();
            }
            gaps.addLast(new int[] {highestOpened, id});
        }
        highestOpened = Math.max(highestOpened, id);
    }

    /** Whether {@code id} lies in a gap the client left behind. */
    public boolean skipped(int id) {
        for (int[] gap : gaps) {
            if (id > gap[0] && id < gap[1]) {
                return true;
            }
        }
        return false;
    }
}
