package dev.aimesh.core.dlp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ContentScannerTest {
    private static final String GITHUB = "ghp_" + "R7mK2qLx9Vb4Tn8Wc1Zp6Yd3Hs5Jf0Ga2Ek4";
    private static final String JWT = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0"
            + ".dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";

    record Found(Detector detector, String text) {}

    private static List<Found> scan(ContentScanner scanner, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        List<Found> found = new ArrayList<>();
        scanner.scan(bytes, 0, bytes.length, (d, s, e) -> found.add(new Found(d, new String(bytes, s, e - s, StandardCharsets.UTF_8))));
        return found;
    }

    private static List<Found> scan(String text) {
        return scan(ContentScanner.all(), text);
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', value = {
            "payment-card | card 4111 1111 1111 1111 please | 4111 1111 1111 1111",
            "payment-card | 5555555555554444 | 5555555555554444",
            "payment-card | amex 3782-822463-10005. | 3782-822463-10005",
            "payment-card | 6011111111111117 | 6011111111111117",
            "payment-card | 3530111333300000 | 3530111333300000",
            "payment-card | \"2223003122003222\" | 2223003122003222",
            "us-ssn | SSN: 123-45-6789. | 123-45-6789",
            "us-ssn | 536 22 8726 | 536 22 8726",
            "iban | GB82 WEST 1234 5698 7654 32 | GB82 WEST 1234 5698 7654 32",
            "iban | to DE89370400440532013000, | DE89370400440532013000",
            "iban | FR1420041010050500013M02606 | FR1420041010050500013M02606",
            "iban | NL91ABNA0417164300 | NL91ABNA0417164300",
            "iban | BE68 5390 0754 7034 | BE68 5390 0754 7034",
            "email | mail alice.smith+tag@example.co.uk now | alice.smith+tag@example.co.uk",
            "email | <bob@mail-server.example.org> | bob@mail-server.example.org",
            "phone | call +14155552671 | +14155552671",
            "phone | +44 20 7946 0958 | +44 20 7946 0958",
            "phone | (212) 555-0142 | (212) 555-0142",
            "phone | tel 212-555-0142. | 212-555-0142",
            "phone | 020 7946 0958 | 020 7946 0958",
            "ipv4 | from 192.168.1.10. | 192.168.1.10",
            "ipv6 | host 2001:db8::8a2e:370:7334 up | 2001:db8::8a2e:370:7334",
            "ipv6 | fe80::1ff:fe23:4567:890a | fe80::1ff:fe23:4567:890a",
            "ipv6 | [::1]:8080 | ::1",
            "ipv6 | ::ffff:192.0.2.128 | ::ffff:192.0.2.128",
            "aws-access-key | id AKIAIOSFODNN7EXAMPLE | AKIAIOSFODNN7EXAMPLE",
            "gitlab-token | glpat-Ab3dE6gH9jK2mN5pQ8sT | glpat-Ab3dE6gH9jK2mN5pQ8sT",
            "slack-token | xoxb-2048611263-Zm9vYmFyYmF6cXV4 | xoxb-2048611263-Zm9vYmFyYmF6cXV4",
            "openai-key | key sk-proj-4fGh7Jk9Lm2Np5Qr8St1Vw3Xy6Za0Bc | sk-proj-4fGh7Jk9Lm2Np5Qr8St1Vw3Xy6Za0Bc",
            "anthropic-key | sk-ant-api03-Xq7Rt2Yu9Io4Pa1Sd6Fg3Hj8Kl5Zx0Cv | sk-ant-api03-Xq7Rt2Yu9Io4Pa1Sd6Fg3Hj8Kl5Zx0Cv",
            "generic-secret | api_key=Zx81kQp0vLm3TgB7wq9R | Zx81kQp0vLm3TgB7wq9R",
            "generic-secret | {\"client_secret\": \"8fK2pLq9ZxC4vB7nM1wE\"} | 8fK2pLq9ZxC4vB7nM1wE",
            "generic-secret | DB_PASSWORD: 'h7Gk2Lp9Qz4Xw1Mv' | h7Gk2Lp9Qz4Xw1Mv",
    })
    void findsEachKindAndWhereItIs(String detector, String text, String expected) {
        assertThat(scan(text)).containsExactly(new Found(Detector.of(detector).orElseThrow(), expected));
    }

    @Test
    void findsTokensWhoseTextIsLongOrHasLines() {
        assertThat(scan("token: " + GITHUB + "!")).containsExactly(new Found(Detector.GITHUB_TOKEN, GITHUB));
        assertThat(scan("Authorization: Bearer " + JWT)).containsExactly(new Found(Detector.JWT, JWT));
        String key = "-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu\n"
                + "-----END RSA PRIVATE KEY-----";
        assertThat(scan("here: " + key + "\nbye")).containsExactly(new Found(Detector.PRIVATE_KEY, key));
        String cut = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAAB";
        assertThat(scan(cut)).as("a block whose END is not in the bytes runs to their end")
                .containsExactly(new Found(Detector.PRIVATE_KEY, cut));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "4111 1111 1111 1112", // fails Luhn
            "1234567812345678", "order 2125550142", // no issuer; a bare run of digits is not a phone number
            "000-12-3456", "666-12-3456", "900-12-3456", "123-00-4567", "123-45-0000", "078-05-1120", "123456789",
            "GB82WEST12345698765433", "XX82WEST12345698765432", // checksum; no such country
            "a@b", "user@localhost", "x..y@example.com", "me@example.c0m", "@example.com",
            "256.1.1.1", "1.2.3", "01.2.3.4", "version 1.2.3.4.5", "12:30:45", "00:1a:2b:3c:4d:5e", "1::2::3",
            "AKIAIOSFODNN7EXAMPL", "ghp_short", "sk-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "password=aaaaaaaaaaaaaaaaaaaa", "token=hello", "key=abcdefghijklmnopqrst",
            "eyJhbGciOiJIUzI1NiJ9", "2024-01-15", "x4111111111111111", "4111111111111111x",
            "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----",
    })
    void findsNothingInLookAlikes(String text) {
        assertThat(scan(text)).isEmpty();
    }

    @Test
    void reportsOnlyTheEnabledDetectorsAndEveryFindingInOrder() {
        String text = "{\"email\":\"ana@example.com\",\"card\":\"4111111111111111\",\"ip\":\"10.0.0.1\",\"note\":\"café ☕ bob@example.org\"}";
        assertThat(scan(text)).extracting(Found::detector)
                .containsExactly(Detector.EMAIL, Detector.PAYMENT_CARD, Detector.IPV4, Detector.EMAIL);
        assertThat(scan(new ContentScanner(EnumSet.of(Detector.PAYMENT_CARD)), text))
                .containsExactly(new Found(Detector.PAYMENT_CARD, "4111111111111111"));
        assertThat(scan(new ContentScanner(EnumSet.noneOf(Detector.class)), text)).isEmpty();
    }

    @Test
    void scansOnlyTheRangeItIsGiven() {
        byte[] bytes = "xx 4111111111111111 yy ana@example.com".getBytes(StandardCharsets.US_ASCII);
        List<Detector> found = new ArrayList<>();
        ContentScanner.all().scan(bytes, 20, bytes.length, (d, s, e) -> {
            assertThat(s).isGreaterThanOrEqualTo(20);
            found.add(d);
        });
        assertThat(found).containsExactly(Detector.EMAIL);
    }

    @Test
    void detectorsHavePolicyNamesAndPlaceholders() {
        assertThat(Detector.of("payment-card")).contains(Detector.PAYMENT_CARD);
        assertThat(Detector.US_SSN.key()).isEqualTo("us-ssn");
        assertThat(Detector.EMAIL.placeholder()).isEqualTo("[EMAIL]");
        assertThat(Detector.of("card")).isEmpty();
    }
}
