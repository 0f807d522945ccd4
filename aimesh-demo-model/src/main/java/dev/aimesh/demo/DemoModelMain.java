package dev.aimesh.demo;

import java.io.UncheckedIOException;
import java.time.InstantSource;
import java.util.List;

/**
 * Runs the demo model server until the process is killed. Prints one line, the address it serves on, so a script
 * or a test can read where to connect. Exit codes: 1 cannot listen, 2 wrong usage.
 */
public final class DemoModelMain {
    private DemoModelMain() {}

    public static void main(String[] args) throws InterruptedException {
        if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
            System.out.println(DemoModelOptions.USAGE);
            return;
        }
        DemoModelOptions options;
        try {
            options = DemoModelOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("aimesh-demo-model: " + e.getMessage());
            System.err.println(DemoModelOptions.USAGE);
            System.exit(2);
            return;
        }
        SentimentModel model = SentimentModel.bundled(options.model());
        DemoModelServer server;
        try {
            server = new DemoModelServer(options.listen(), model, InstantSource.system(), options.tokenDelay());
        } catch (UncheckedIOException e) {
            System.err.println("aimesh-demo-model: " + e.getMessage());
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "demo-model-shutdown"));
        System.out.println("demo model " + model.name() + " serving on http://" + DemoModelOptions.hostPort(server.address()));
        System.out.flush();
        Thread.currentThread().join();
    }
}
