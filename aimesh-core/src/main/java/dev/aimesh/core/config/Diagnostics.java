package dev.aimesh.core.config;

import java.util.ArrayList;
import java.util.List;

/** Collects the problems found while decoding, so all of them are reported at once. */
public final class Diagnostics {
    private final List<Diagnostic> problems = new ArrayList<>();

    public void error(Position position, String field, String message) {
        problems.add(new Diagnostic(position, field, message));
    }

    public void add(Diagnostic diagnostic) {
        problems.add(diagnostic);
    }

    public boolean isEmpty() {
        return problems.isEmpty();
    }

    public int size() {
        return problems.size();
    }

    public List<Diagnostic> list() {
        return List.copyOf(problems);
    }
}
