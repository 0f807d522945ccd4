package dev.aimesh.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SentimentClassifierTest {
    private static final SentimentCorpus CORPUS = SentimentCorpus.bundled();
    private static final SentimentClassifier CLASSIFIER = SentimentClassifier.train(CORPUS);

    @Test
    void classifiesAtLeastNinetyPercentOfItsTrainingDataRight() {
        long right = CORPUS.sentences().stream()
                .filter(s -> CLASSIFIER.classify(s.text()).label().equals(s.label()))
                .count();
        assertThat((double) right / CORPUS.sentences().size()).isGreaterThanOrEqualTo(0.90);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "I love this assistant, it is fantastic and so helpful! | positive",
            "Great service, fast delivery and excellent quality.    | positive",
            "Terrible app, it crashes and support is rude.          | negative",
            "The worst purchase ever, broken after a week.          | negative",
            "The package contains a cable and a manual.             | neutral",
            "The store opens at eight on Monday.                    | neutral"})
    void obviousSentencesGetTheirLabel(String text, String label) {
        assertThat(CLASSIFIER.classify(text).label()).isEqualTo(label);
    }

    @Test
    void probabilitiesComeInLabelOrderSumToOneAndTheLabelIsTheMostLikely() {
        Classification c = CLASSIFIER.classify("The support team was friendly and helpful.");
        assertThat(c.probabilities().keySet()).containsExactlyElementsOf(CLASSIFIER.labels());
        assertThat(c.probabilities().values().stream().mapToDouble(Double::doubleValue).sum()).isCloseTo(1.0, within(1e-9));
        assertThat(c.confidence()).isEqualTo(c.probabilities().values().stream().mapToDouble(Double::doubleValue).max().orElseThrow());
    }

    @Test
    void isDeterministicAndTrainingTwiceGivesTheSameModel() {
        String text = "The chatbot answered quickly but the answer was wrong.";
        assertThat(CLASSIFIER.classify(text)).isEqualTo(CLASSIFIER.classify(text));
        assertThat(SentimentClassifier.train(CORPUS).classify(text)).isEqualTo(CLASSIFIER.classify(text));
    }

    @Test
    void textWithoutKnownWordsFallsBackToThePriorsAndLongTextsDoNotUnderflow() {
        Classification unknown = CLASSIFIER.classify("zzyzx qwxv");
        assertThat(unknown).isEqualTo(CLASSIFIER.classify(""));
        assertThat(unknown.probabilities().values()).allSatisfy(p -> assertThat(p).isBetween(0.3, 0.37));
        Classification longText = CLASSIFIER.classify("terrible awful broken ".repeat(2_000));
        assertThat(longText.label()).isEqualTo("negative");
        assertThat(longText.probabilities().values()).allSatisfy(p -> assertThat(p).isNotNaN());
    }

    @Test
    void learnsFromAnyCorpus() {
        SentimentClassifier tiny = SentimentClassifier.train(new SentimentCorpus(List.of(
                new LabelledSentence("spam", "win money now"), new LabelledSentence("ham", "lunch at noon"))));
        assertThat(tiny.labels()).containsExactly("ham", "spam");
        assertThat(tiny.classify("money money").label()).isEqualTo("spam");
        assertThat(tiny.classify("noon lunch").label()).isEqualTo("ham");
    }
}
