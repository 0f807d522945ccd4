package dev.aimesh.core.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class JoinTokenTest {
    @Test
    void printsAndParsesBack() {
        JoinToken token = new JoinToken("abcdefgh12", "s3cr3t-s3cr3t_s3cr3t", List.of("pinAAAAAAAA", "pinBBBBBBBB"));
        assertThat(token.toString()).isEqualTo("jt1.abcdefgh12.s3cr3t-s3cr3t_s3cr3t.pinAAAAAAAA,pinBBBBBBBB");
        assertThat(JoinToken.parse("  " + token + "\n")).isEqualTo(token);
    }

    @ParameterizedTest
    @ValueSource(strings = {"jt1.abcdefgh12.secretsecret", "jt1.abcdefgh12.secretsecret.", "jt1.abc.secretsecret.pinAAAAAAAA",
            "jt1.abcdefgh12.secret secret.pinAAAAAAAA", "jt1.abcdefgh12.secretsecret.pinAAAAAAAA,"})
    void refusesMalformedTokensWithoutEchoingThem(String text) {
        assertThatThrownBy(() -> JoinToken.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("malformed join token").hasMessageNotContaining("secretsecret");
    }

    @Test
    void refusesOtherStrings() {
        assertThatThrownBy(() -> JoinToken.parse("eyJhbGciOi.xx.yy")).hasMessageContaining("not an aimesh join token");
    }
}
