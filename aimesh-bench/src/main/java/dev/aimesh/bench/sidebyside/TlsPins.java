package dev.aimesh.bench.sidebyside;

import java.nio.file.Path;

/**
 * The TLS parameters every pair is pinned to, so that each does the same cryptographic work: TLS 1.3, key
 * exchange on P-256 only, AES-128-GCM. nginx and haproxy take them in their configs; aimesh (Netty on BoringSSL)
 * takes the group from {@code -Djdk.tls.namedGroups}, and BoringSSL's TLS 1.3 cipher order, which cannot be
 * configured, puts AES-128-GCM first on a CPU with AES instructions. {@link TlsProbe} checks what B negotiates.
 */
final class TlsPins {
    static final String PROTOCOL = "TLSv1.3";
    static final String GROUP = "P-256";
    static final String GROUP_JDK = "secp256r1";
    static final String GROUP_NGINX = "prime256v1";
    static final String CIPHER = "TLS_AES_128_GCM_SHA256";

    private TlsPins() {}

    static String jvmOptions() {
        return "-Djdk.tls.namedGroups=" + GROUP_JDK;
    }

    /**
     * An OpenSSL configuration that pins every TLS context of a process (haproxy 2.6 has no {@code curves} for
     * its servers, so its A gets the group this way), given to haproxy, nginx and openssl as {@code OPENSSL_CONF}.
     */
    static Path opensslConf(Workspace ws) {
        return ws.file("openssl-pins.cnf", """
                openssl_conf = openssl_init
                [openssl_init]
                ssl_conf = ssl_module
                [ssl_module]
                system_default = tls_pins
                [tls_pins]
                MinProtocol = TLSv1.3
                Groups = %s
                Ciphersuites = %s
                """.formatted(GROUP, CIPHER));
    }

    static String describe() {
        return PROTOCOL + ", group " + GROUP + ", " + CIPHER;
    }
}
