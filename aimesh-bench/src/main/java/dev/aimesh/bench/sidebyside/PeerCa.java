package dev.aimesh.bench.sidebyside;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The nginx and haproxy pairs' certificates, made with openssl for the run: an ECDSA P-256 CA, a client
 * certificate for A and a server certificate for B that names B by DNS ({@link #B_NAME}) beside its SPIFFE ID.
 * The aimesh CA issues SPIFFE IDs only (URI SANs), and nginx and haproxy check a server's name against DNS names
 * only: with these, their A verifies B's chain <em>and</em> name, as aimesh's A verifies B's chain and SPIFFE ID.
 */
final class PeerCa {
    static final String B_NAME = "b.bench.local";

    private PeerCa() {}

    /** Returns {@code [A's client identity, B's server identity]}, both with the CA as their bundle. */
    static List<PemFiles> issue(Workspace ws) {
        Path dir = ws.subdir("peer-ca");
        Path caKey = dir.resolve("ca-key.pem");
        Path ca = dir.resolve("ca.pem");
        openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", caKey.toString());
        openssl("req", "-x509", "-new", "-key", caKey.toString(), "-sha256", "-days", "2", "-subj", "/O=aimesh bench/CN=peer CA",
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign", "-out", ca.toString());
        PemFiles client = leaf(ws, dir, ca, caKey, "peer-client", "/CN=peer-client",
                "subjectAltName=URI:spiffe://bench.local/ns/bench/sa/peer-client\nextendedKeyUsage=clientAuth\n");
        PemFiles server = leaf(ws, dir, ca, caKey, "peer-server", "/CN=" + B_NAME,
                "subjectAltName=DNS:" + B_NAME + ",URI:spiffe://bench.local/ns/bench/sa/peer-server\nextendedKeyUsage=serverAuth\n");
        return List.of(client, server);
    }

    private static PemFiles leaf(Workspace ws, Path dir, Path ca, Path caKey, String name, String subject, String extensions) {
        Path sub = ws.subdir("peer-ca/" + name);
        PemFiles pem = new PemFiles(sub.resolve("svid.pem"), sub.resolve("svid-key.pem"), ca);
        Path csr = sub.resolve("req.csr");
        Path ext = ws.file("peer-ca/" + name + "/ext.cnf", extensions + "keyUsage=critical,digitalSignature\n");
        openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", pem.key().toString());
        openssl("req", "-new", "-key", pem.key().toString(), "-subj", subject, "-out", csr.toString());
        openssl("x509", "-req", "-in", csr.toString(), "-CA", ca.toString(), "-CAkey", caKey.toString(), "-CAcreateserial",
                "-CAserial", dir.resolve("ca.srl").toString(), "-days", "2", "-sha256", "-extfile", ext.toString(), "-out", pem.cert().toString());
        return pem;
    }

    private static void openssl(String... args) {
        List<String> command = new java.util.ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        Launched.run(command, Duration.ofSeconds(30));
    }
}
