package dev.aimesh.demo;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TokenizerTest {
    @Test
    void wordsAreLowerCasedWithoutPunctuationKeepingInnerApostrophes() {
        assertThat(Tokenizer.words("Don't PANIC, it's 42!")).containsExactly("don't", "panic", "it's", "42");
        assertThat(Tokenizer.words("'quoted' café")).containsExactly("quoted", "café");
    }

    @Test
    void piecesAreWordsAndEachPunctuationMarkAsWritten() {
        assertThat(Tokenizer.pieces("Sentiment: positive (0.87).")).containsExactly(
                "Sentiment", ":", "positive", "(", "0", ".", "87", ")", ".");
        assertThat(Tokenizer.count("Sentiment: positive (0.87).")).isEqualTo(9);
    }

    @Test
    void whitespaceAloneHasNoTokens() {
        assertThat(Tokenizer.count("")).isZero();
        assertThat(Tokenizer.count(" \t\n ")).isZero();
        assertThat(Tokenizer.words("  ")).isEmpty();
    }
}
