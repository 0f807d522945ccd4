package dev.aimesh.controlplane.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import dev.aimesh.controlplane.admin.AdminRequestGuard.Refusal;
import dev.aimesh.controlplane.admin.AdminRequestGuard.Request;

class AdminRequestGuardTest {
    @TempDir
    Path dir;
    private AdminToken token;
    private AdminRequestGuard guard;
    private String bearer;

    @BeforeEach
    void setUp() throws Exception {
        token = AdminToken.create(dir, new SecureRandom());
        guard = new AdminRequestGuard(new java.net.InetSocketAddress("127.0.0.1", 15014), token);
        bearer = "Bearer " + Files.readString(dir.resolve(AdminToken.FILE)).strip();
    }

    private Optional<Refusal> post(String host, String origin, String contentType, String authorization) {
        return guard.check(new Request("POST", "/v1/tokens", host, origin, contentType, authorization));
    }

    private static String code(Optional<Refusal> refusal) {
        return refusal.map(Refusal::code).orElse("allowed");
    }

    @Test
    void theTokenFileIsOwnerOnlyAndNewOnEveryStart() throws Exception {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(AdminToken.FILE)))).isEqualTo("rw-------");
        String first = Files.readString(dir.resolve(AdminToken.FILE));
        AdminToken.create(dir, new SecureRandom());
        assertThat(Files.readString(dir.resolve(AdminToken.FILE))).isNotEqualTo(first).hasSize(65);
        assertThat(token.matches(first.strip())).isTrue();
        assertThat(token.matches(first.strip().substring(1))).isFalse();
    }

    @Test
    void onlyTheListenersOwnLoopbackHostsPass() {
        for (String host : new String[] {"127.0.0.1:15014", "localhost:15014", "LOCALHOST:15014", "[::1]:15014"}) {
            assertThat(code(post(host, null, "application/json", bearer))).as(host).isEqualTo("allowed");
        }
        for (String host : new String[] {null, "", "evil.example:15014", "127.0.0.1", "127.0.0.1:80", "localhost.evil.example:15014",
                "127.0.0.1:15014, evil.example"}) {
            Optional<Refusal> refused = post(host, null, "application/json", bearer);
            assertThat(code(refused)).as(host).isEqualTo("host");
            assertThat(refused.orElseThrow().status()).isEqualTo(403);
        }
    }

    @Test
    void aListenerOnAnotherLoopbackAddressAcceptsItsOwnLiteral() {
        AdminRequestGuard other = new AdminRequestGuard(new java.net.InetSocketAddress("127.0.0.2", 15014), token);
        assertThat(code(other.check(new Request("GET", "/v1/status", "127.0.0.2:15014", null, null, bearer)))).isEqualTo("allowed");
        assertThat(code(other.check(new Request("GET", "/v1/status", "127.0.0.3:15014", null, null, bearer)))).isEqualTo("host");
    }

    @Test
    void anyOriginButTheApisOwnIsRefused() {
        assertThat(code(post("127.0.0.1:15014", "http://127.0.0.1:15014", "application/json", bearer))).isEqualTo("allowed");
        for (String origin : new String[] {"http://evil.example", "null", "http://127.0.0.1:8080", "https://127.0.0.1:15014"}) {
            assertThat(code(post("127.0.0.1:15014", origin, "application/json", bearer))).as(origin).isEqualTo("origin");
        }
    }

    @Test
    void aRequestThatMayCarryABodyMustSayJson() {
        assertThat(code(post("127.0.0.1:15014", null, "application/json; charset=utf-8", bearer))).isEqualTo("allowed");
        for (String type : new String[] {null, "text/plain", "application/x-www-form-urlencoded", "multipart/form-data",
                "application/jsonp"}) {
            Optional<Refusal> refused = post("127.0.0.1:15014", null, type, bearer);
            assertThat(code(refused)).as(type).isEqualTo("content-type");
            assertThat(refused.orElseThrow().status()).isEqualTo(415);
        }
        assertThat(code(guard.check(new Request("GET", "/v1/status", "127.0.0.1:15014", null, null, bearer)))).isEqualTo("allowed");
    }

    @Test
    void everyEndpointButTheHealthCheckNeedsTheToken() {
        assertThat(code(post("127.0.0.1:15014", null, "application/json", null))).isEqualTo("no-token");
        assertThat(code(post("127.0.0.1:15014", null, "application/json", "Bearer " + "0".repeat(64)))).isEqualTo("wrong-token");
        assertThat(code(post("127.0.0.1:15014", null, "application/json", bearer.substring(7)))).isEqualTo("wrong-token");
        assertThat(code(post("127.0.0.1:15014", null, "application/json", "Basic " + bearer.substring(7)))).isEqualTo("wrong-token");
        assertThat(post("127.0.0.1:15014", null, "application/json", null).orElseThrow().status()).isEqualTo(401);
        assertThat(code(guard.check(new Request("GET", "/healthz", "127.0.0.1:15014", null, null, null)))).isEqualTo("allowed");
        // the health check still needs the loopback Host: a rebound page cannot probe it either
        assertThat(code(guard.check(new Request("GET", "/healthz", "evil.example:15014", null, null, null)))).isEqualTo("host");
    }
}
