package dev.aimesh.bench.sidebyside;

/** The java binary and class path of this driver, for the helper processes it starts (the SSE upstream and client). */
final class Jvm {
    private Jvm() {}

    static String java() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    static String classPath() {
        return System.getProperty("java.class.path");
    }
}
