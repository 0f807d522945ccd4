package dev.aimesh.core.dlp;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** The kinds of sensitive data {@link ContentScanner} finds, by the names policies use. */
public enum Detector {
    EMAIL, PHONE, US_SSN, PAYMENT_CARD, IBAN, IPV4, IPV6,
    PRIVATE_KEY, AWS_ACCESS_KEY, GITHUB_TOKEN, GITLAB_TOKEN, SLACK_TOKEN, OPENAI_KEY, ANTHROPIC_KEY, JWT, GENERIC_SECRET;

    /** The name in a policy: {@code payment-card}, {@code us-ssn}, ... */
    public String key() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static Optional<Detector> of(String key) {
        return Arrays.stream(values()).filter(d -> d.key().equals(key)).findFirst();
    }

    /** The placeholder a redaction writes: {@code [EMAIL]}, {@code [PAYMENT-CARD]}. */
    public String placeholder() {
        return "[" + name().replace('_', '-') + "]";
    }
}
