package dev.aimesh.core.dlp;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Applies a policy's actions to what {@link ContentScanner} found in a body: a decision as a value. A body with
 * nothing to act on stays the same bytes (no copy); a finding to block decides for the whole body; findings to
 * redact or mask are replaced, the rest of the bytes kept as they were.
 */
public final class Redactor {
    private final ContentScanner scanner;
    private final Map<Detector, DlpAction> actions;
    private final ValueHashes hashes;

    /** {@code actions}: the action per detector; detectors not named are not scanned for. Findings carry no hash. */
    public Redactor(Map<Detector, DlpAction> actions) {
        this(actions, null);
    }

    /** @param hashes how each finding's value is hashed for the audit trail, or null for none */
    public Redactor(Map<Detector, DlpAction> actions, ValueHashes hashes) {
        this.actions = new EnumMap<>(Detector.class);
        this.actions.putAll(actions);
        this.scanner = new ContentScanner(actions.keySet());
        this.hashes = hashes;
    }

    ValueHashes hashes() {
        return hashes;
    }

    /** The action per detector scanned for. */
    public Map<Detector, DlpAction> actions() {
        return java.util.Collections.unmodifiableMap(actions);
    }

    /**
     * One finding: its kind, where it is, what was done with it, and its value's salted hash ("" without
     * {@link ValueHashes}), which the audit trail records instead of the value.
     */
    public record Finding(Detector detector, int start, int end, DlpAction action, String valueHash) {
        public Finding(Detector detector, int start, int end, DlpAction action) {
            this(detector, start, end, action, "");
        }

        /** The same finding at other offsets. */
        public Finding at(int newStart, int newEnd) {
            return new Finding(detector, newStart, newEnd, action, valueHash);
        }
    }

    /** What to do with a body. */
    public sealed interface Outcome {
        List<Finding> findings();

        /** Nothing found. */
        record Clean() implements Outcome {
            @Override
            public List<Finding> findings() {
                return List.of();
            }
        }

        /** Found, but only to be recorded: the body goes on as it came. */
        record Audited(List<Finding> findings) implements Outcome {}

        /** The body with its findings replaced. */
        record Redacted(byte[] body, List<Finding> findings) implements Outcome {}

        /** A finding to block: the body must not go on. {@code first} is the one that decided. */
        record Blocked(Finding first, List<Finding> findings) implements Outcome {}
    }

    public Outcome apply(byte[] body, int from, int to) {
        List<Finding> found = new ArrayList<>();
        scanner.scan(body, from, to, (detector, start, end) -> found.add(new Finding(detector, start, end, actions.get(detector),
                hashes == null ? "" : hashes.of(body, start, end))));
        if (found.isEmpty()) {
            return new Outcome.Clean();
        }
        DlpAction strongest = DlpAction.AUDIT;
        Finding blocking = null;
        for (Finding f : found) {
            strongest = strongest.max(f.action());
            if (f.action() == DlpAction.BLOCK && blocking == null) {
                blocking = f;
            }
        }
        List<Finding> findings = List.copyOf(found);
        return switch (strongest) {
            case BLOCK -> new Outcome.Blocked(blocking, findings);
            case AUDIT -> new Outcome.Audited(findings);
            case REDACT, MASK -> new Outcome.Redacted(replaced(body, from, to, findings), findings);
        };
    }

    private static byte[] replaced(byte[] body, int from, int to, List<Finding> findings) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(to - from);
        int at = from;
        for (Finding f : findings) {
            out.write(body, at, f.start() - at);
            switch (f.action()) {
                case REDACT -> out.writeBytes(ContentScanner.ascii(f.detector().placeholder()));
                case MASK -> out.writeBytes(masked(body, f.start(), f.end()));
                default -> out.write(body, f.start(), f.end() - f.start());
            }
            at = f.end();
        }
        out.write(body, at, to - at);
        return out.toByteArray();
    }

    /** Letters and digits become {@code *} but for the last four; separators stay where they were. */
    static byte[] masked(byte[] body, int start, int end) {
        byte[] out = java.util.Arrays.copyOfRange(body, start, end);
        int kept = 0;
        for (int k = out.length - 1; k >= 0; k--) {
            if (ContentScanner.alnum(out[k] & 0xff)) {
                if (kept < 4) {
                    kept++;
                } else {
                    out[k] = '*';
                }
            }
        }
        return out;
    }
}
