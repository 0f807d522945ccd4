package dev.aimesh.identity.x509;

import java.security.cert.X509Certificate;
import java.util.List;

/**
 * The roots a trust domain's members trust, with a version that grows on every change. It may hold
 * several roots at once, which is how a root is rotated without downtime.
 */
public record TrustBundle(long version, List<X509Certificate> roots) {
    public TrustBundle {
        roots = List.copyOf(roots);
        if (version < 0) {
            throw new IllegalArgumentException("version: " + version + " (expected: >= 0)");
        }
    }

    public boolean contains(X509Certificate root) {
        return roots.contains(root);
    }

    public String pem() {
        return Pem.certificates(roots);
    }
}
