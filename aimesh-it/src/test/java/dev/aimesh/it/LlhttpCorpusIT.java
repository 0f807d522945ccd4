package dev.aimesh.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import dev.aimesh.core.identity.SpiffeId;
import dev.aimesh.proxy.Proxy;
import dev.aimesh.proxy.agent.WorkloadIdentity;
import dev.aimesh.proxy.http.ProxyLimits;
import dev.aimesh.testkit.EchoUpstream;
import dev.aimesh.testkit.TestMesh;
import dev.aimesh.testkit.TlsClients;

/**
 * llhttp's request corpus ({@code ../shared/testdata/llhttp-requests}) through the inbound front door:
 * every request llhttp's strict mode rejects must not reach the model. A case counts as refused when
 * no more requests reached the model than llhttp completed before its error (earlier valid requests
 * of a pipelined case may pass). Cases llhttp accepts are reported, not asserted: being stricter is allowed.
 */
class LlhttpCorpusIT {
    private static final Path CORPUS = Path.of(System.getProperty("aimesh.testdata", "../shared/testdata"), "llhttp-requests");
    private static final SpiffeId MODEL = SpiffeId.parse("spiffe://it.example/ns/models/sa/llm");

    @TempDir
    static Path tmp;
    private static TestMesh mesh;
    private static EchoUpstream model;
    private static Proxy server;
    private static WorkloadIdentity app;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(Files.isDirectory(CORPUS), "llhttp corpus not found at " + CORPUS.toAbsolutePath()
                + " (it lives in ../shared/testdata beside the checkout); skipping");
        mesh = new TestMesh(tmp, TestMesh.meshWithLifetime("1h"), InstantSource.system());
        model = new EchoUpstream().start();
        server = mesh.serverProxy("models/model", model.address(), false, ProxyLimits.DEFAULTS);
        app = mesh.join("apps/app");
    }

    @AfterAll
    static void stop() {
        if (mesh != null) {
            app.close();
            server.close();
            model.close();
            mesh.close();
        }
    }

    record Outcome(LlhttpCorpus.Case c, int reached, String answer) {
        boolean refused() {
            return reached <= c.completedBeforeError();
        }
    }

    private static Outcome run(LlhttpCorpus.Case c) throws Exception {
        int before = model.requests();
        String answer;
        try (SSLSocket socket = TlsClients.connect(server.inboundAddress().orElseThrow(), app.svid(), app.bundle(), MODEL)) {
            answer = TlsClients.exchange(socket, c.bytes(), 300);
        }
        return new Outcome(c, model.requests() - before, answer);
    }

    @Test
    void everyRequestLlhttpStrictRejectsIsRejectedHere() throws Exception {
        List<LlhttpCorpus.Case> cases = LlhttpCorpus.read(CORPUS);
        List<Outcome> strictRejects = new ArrayList<>();
        List<Outcome> lenientRejects = new ArrayList<>();
        int accepted = 0;
        int acceptedHereToo = 0;
        List<String> stricterHere = new ArrayList<>();
        for (LlhttpCorpus.Case c : cases) {
            if (c.rejected() && c.strictType()) {
                strictRejects.add(run(c));
            } else if (c.rejected() || !c.strictType()) {
                lenientRejects.add(run(c));
            } else {
                accepted++;
                Outcome o = run(c);
                if (o.reached() > 0) {
                    acceptedHereToo++;
                } else {
                    stricterHere.add(c.name() + ": " + o.answer().lines().filter(l -> l.startsWith("malformed") || l.startsWith("HTTP/") || l.startsWith("x-aimesh-reason"))
                            .reduce((a, b) -> a + " / " + b).orElse("(closed)"));
                }
            }
        }
        List<Outcome> leaked = strictRejects.stream().filter(o -> !o.refused()).toList();
        System.out.printf("llhttp corpus: %d cases. strict-mode rejects: %d, refused here %d. lenient-mode cases (strict"
                        + " would reject): %d, refused here %d. accepted by llhttp: %d, served here %d%n",
                cases.size(), strictRejects.size(), strictRejects.size() - leaked.size(), lenientRejects.size(),
                lenientRejects.stream().filter(o -> o.reached() == 0).count(), accepted, acceptedHereToo);
        leaked.forEach(o -> System.out.printf("  REACHED THE MODEL: %s (llhttp: %s)%n", o.c().name(), o.c().reason()));
        lenientRejects.stream().filter(o -> o.reached() > 0).forEach(o -> System.out.printf("  lenient case served: %s%n", o.c().name()));
        stricterHere.forEach(s -> System.out.printf("  accepted by llhttp, refused here: %s%n", s));
        assertThat(strictRejects).hasSizeGreaterThan(50);
        assertThat(leaked).extracting(o -> o.c().name()).isEmpty();
    }
}
