package dev.aimesh.core.config;

/** Where something stands in a config file; line and column count from 1. */
public record Position(String file, int line, int column) {
    public static Position unknown(String file) {
        return new Position(file, 0, 0);
    }

    @Override
    public String toString() {
        return line == 0 ? file : file + ":" + line + ":" + column;
    }
}
