package dev.aimesh.core.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class SpiffeIdTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            spiffe://example.org                         | example.org  | ''
            spiffe://example.org/workload                | example.org  | /workload
            spiffe://cluster.local/ns/models/sa/llm      | cluster.local| /ns/models/sa/llm
            spiffe://a-b_c.d0/UPPER/lower/0-9._          | a-b_c.d0     | /UPPER/lower/0-9._
            spiffe://td/...                              | td           | /...
            spiffe://td/a.b/.c/d./..e                    | td           | /a.b/.c/d./..e
            """)
    void acceptsValidIds(String input, String trustDomain, String path) {
        SpiffeId id = SpiffeId.parse(input);
        assertThat(id.trustDomain().name()).isEqualTo(trustDomain);
        assertThat(id.path()).isEqualTo(path);
        assertThat(id.toString()).isEqualTo(input);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            ''                                  | it is empty
            example.org/workload                | does not start with 'spiffe://'
            https://example.org/workload        | does not start with 'spiffe://'
            SPIFFE://example.org/workload       | scheme must be 'spiffe' in lower case
            spiffe:/example.org                 | does not start with 'spiffe://'
            spiffe://                           | trust domain is empty
            spiffe:///path                      | trust domain is empty
            spiffe://Example.org/w              | upper-case letter 'E'
            spiffe://example.org:8080/w         | port or scheme separator ':'
            spiffe://user@example.org/w         | user info '@'
            spiffe://exa%6Dple.org/w            | percent-encoding '%'
            spiffe://example.org/w%20x          | percent-encoding '%' in the path
            spiffe://example.org/w?x=1          | a query '?' in the path
            spiffe://example.org/w#frag         | a fragment '#' in the path
            spiffe://example.org?x=1            | a query '?' at position
            spiffe://example.org#f              | a fragment '#' at position
            spiffe://example.org/               | path ends with '/'
            spiffe://example.org/a/             | path ends with '/'
            spiffe://example.org//a             | empty segment
            spiffe://example.org/a//b           | empty segment
            spiffe://example.org/./a            | has a '.' segment
            spiffe://example.org/a/..           | has a '..' segment
            spiffe://example.org/a/../b         | has a '..' segment
            spiffe://example.org/a b            | character ' ' in the path
            spiffe://example.org/a*             | character '*' in the path
            spiffe://exam ple.org/a             | character ' ' at position
            spiffe://example.org/caf\u00e9      | character U+00E9 in the path
            """)
    void rejectsInvalidIdsNamingTheRule(String input, String rule) {
        String unescaped = input.replace("\\u00e9", "\u00e9");
        assertThatThrownBy(() -> SpiffeId.parse(unescaped))
                .isInstanceOf(InvalidSpiffeIdException.class)
                .hasMessageContaining(rule);
        assertThat(SpiffeId.tryParse(unescaped)).isEmpty();
    }

    @Test
    void enforcesLengthLimits() {
        String longDomain = "a".repeat(TrustDomain.MAX_LENGTH + 1);
        assertThatThrownBy(() -> SpiffeId.parse("spiffe://" + longDomain))
                .hasMessageContaining("longer than 255 characters");
        String maxDomain = "a".repeat(TrustDomain.MAX_LENGTH);
        assertThat(SpiffeId.parse("spiffe://" + maxDomain).trustDomain().name()).hasSize(255);

        String prefix = "spiffe://example.org/";
        String exact = prefix + "p".repeat(SpiffeId.MAX_LENGTH - prefix.length());
        assertThat(SpiffeId.parse(exact).toString()).hasSize(SpiffeId.MAX_LENGTH);
        assertThatThrownBy(() -> SpiffeId.parse(exact + "p")).hasMessageContaining("longer than 2048 bytes");
    }

    @Test
    void buildsIstioWorkloadIds() {
        SpiffeId id = SpiffeId.forWorkload(TrustDomain.parse("cluster.local"), "models", "llm");
        assertThat(id).hasToString("spiffe://cluster.local/ns/models/sa/llm");
        assertThat(id).isEqualTo(SpiffeId.parse("spiffe://cluster.local/ns/models/sa/llm"));
        assertThat(id.memberOf(TrustDomain.parse("cluster.local"))).isTrue();
        assertThat(id.memberOf(TrustDomain.parse("other.local"))).isFalse();
        assertThatThrownBy(() -> SpiffeId.forWorkload(TrustDomain.parse("td"), "bad ns", "sa"))
                .hasMessageContaining("character ' '");
    }

    @Test
    void trustDomainParsesBareNamesOnly() {
        assertThat(TrustDomain.parse("example.org").id()).hasToString("spiffe://example.org");
        assertThatThrownBy(() -> TrustDomain.parse("spiffe://example.org")).hasMessageContaining("bare name");
        assertThatThrownBy(() -> TrustDomain.parse("")).hasMessageContaining("empty");
        assertThatThrownBy(() -> TrustDomain.parse("Example.org")).hasMessageContaining("upper-case");
    }
}
