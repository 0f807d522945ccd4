package dev.aimesh.identity.ca;

import java.security.cert.X509Certificate;
import java.util.List;

/** What the CA decided about a signing request: a certificate, or a refusal that says why. */
public sealed interface IssueDecision {
    record Issued(List<X509Certificate> chain) implements IssueDecision {
        public Issued {
            chain = List.copyOf(chain);
        }

        public X509Certificate leaf() {
            return chain.get(0);
        }
    }

    record Refused(Reason reason, String detail) implements IssueDecision {
        @Override
        public String toString() {
            return reason.code + ": " + detail;
        }
    }

    /** Why a request was refused; the code is stable for logs and scripts. */
    enum Reason {
        MALFORMED_CSR("malformed-csr"),
        BAD_SIGNATURE("csr-signature-invalid"),
        UNSUPPORTED_KEY("unsupported-key"),
        FORBIDDEN_NAME("forbidden-san"),
        NO_SPIFFE_ID("no-spiffe-id"),
        IDENTITY_NOT_GRANTED("identity-not-granted"),
        SIGNER_EXPIRED("ca-expired");

        public final String code;

        Reason(String code) {
            this.code = code;
        }
    }
}
