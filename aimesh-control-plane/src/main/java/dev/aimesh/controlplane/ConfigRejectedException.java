package dev.aimesh.controlplane;

import java.util.List;
import dev.aimesh.core.config.Diagnostic;

/** The configuration has problems, listed in full; nothing of it was applied. */
public final class ConfigRejectedException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient List<Diagnostic> problems;

    public ConfigRejectedException(List<Diagnostic> problems) {
        super(problems.size() + " problem(s) in the config:\n  "
                + String.join("\n  ", problems.stream().map(Diagnostic::toString).toList()));
        this.problems = List.copyOf(problems);
    }

    public List<Diagnostic> problems() {
        return problems;
    }
}
