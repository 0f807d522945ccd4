package dev.aimesh.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class SentimentCorpusTest {
    @Test
    void theBundledCorpusHasAboutTwoHundredSentencesBalancedOverThreeLabels() {
        SentimentCorpus corpus = SentimentCorpus.bundled();
        assertThat(corpus.sentences()).hasSizeBetween(180, 240);
        assertThat(corpus.labels()).containsExactly("negative", "neutral", "positive");
        Map<String, Long> perLabel = corpus.sentences().stream()
                .collect(Collectors.groupingBy(LabelledSentence::label, Collectors.counting()));
        assertThat(perLabel.values()).allSatisfy(n -> assertThat(n).isBetween(55L, 80L));
        assertThat(corpus.texts()).doesNotHaveDuplicates();
    }

    @Test
    void skipsCommentsAndBlankLines() {
        SentimentCorpus corpus = SentimentCorpus.parse("t.tsv", "# header\n\npositive\tGood.\r\nnegative\t Bad. \n");
        assertThat(corpus.sentences()).containsExactly(
                new LabelledSentence("positive", "Good."), new LabelledSentence("negative", "Bad."));
    }

    @Test
    void aBadLineFailsWithItsLineNumber() {
        Function<String, String> problem = content -> {
            try {
                SentimentCorpus.parse("t.tsv", content);
                return "accepted";
            } catch (IllegalArgumentException e) {
                return e.getMessage();
            }
        };
        assertThat(problem.apply("positive\tGood.\nno tab here\n")).isEqualTo("t.tsv:2: no tab (expected: label<TAB>text)");
        assertThat(problem.apply("Positive\tGood.")).startsWith("t.tsv:1: label \"Positive\"");
        assertThat(problem.apply("positive\t  ")).isEqualTo("t.tsv:1: empty text");
        assertThatThrownBy(() -> SentimentCorpus.parse("t.tsv", "# only a comment\n"))
                .hasMessageContaining("expected: at least one labelled sentence");
    }
}
