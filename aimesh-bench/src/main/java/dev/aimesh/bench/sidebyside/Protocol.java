package dev.aimesh.bench.sidebyside;

/** What the load generator speaks to the first hop: HTTP/1.1, or HTTP/2 with prior knowledge (h2c). */
public enum Protocol {
    H1("HTTP/1.1"), H2("HTTP/2");

    private final String label;

    Protocol(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
