package dev.aimesh.bench.sidebyside;

/** One row of h2load's {@code --log-file}: when the request started (µs since the epoch), its status, its latency. */
public record LoggedRequest(long startMicros, int status, long latencyMicros) {
    /** Status -1 is a failed stream (reset, connection lost); anything but 2xx counts as failed too. */
    public boolean ok() {
        return status >= 200 && status < 300;
    }

    public long endMicros() {
        return startMicros + latencyMicros;
    }

    /** Parses one log line ({@code start<TAB>status<TAB>latency}); null for a line that is not one. */
    static LoggedRequest parse(String line) {
        String[] cols = line.split("\t");
        if (cols.length < 3) {
            return null;
        }
        try {
            return new LoggedRequest(Long.parseLong(cols[0].trim()), Integer.parseInt(cols[1].trim()), Long.parseLong(cols[2].trim()));
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
