package dev.aimesh.bench.sidebyside;

/** One load shape: what is requested, over which protocol, open loop (latency) or closed loop (throughput). */
public record Scenario(String id, Protocol protocol, String path, boolean openLoop) {
    public static final java.util.List<Scenario> LATENCY = java.util.List.of(
            new Scenario("latency-h1-1k", Protocol.H1, "/1k", true),
            new Scenario("latency-h2-1k", Protocol.H2, "/1k", true));
    public static final java.util.List<Scenario> SATURATION = java.util.List.of(
            new Scenario("saturation-h1-2b", Protocol.H1, "/2b", false),
            new Scenario("saturation-h1-1k", Protocol.H1, "/1k", false),
            new Scenario("saturation-h2-1k", Protocol.H2, "/1k", false));

    public String bodyLabel() {
        return path.equals("/1k") ? "1 KB" : "2 B";
    }
}
