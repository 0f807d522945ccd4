package dev.aimesh.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class BigramGeneratorTest {
    private static final SentimentCorpus CORPUS = SentimentCorpus.bundled();
    private static final BigramGenerator GENERATOR = BigramGenerator.train(CORPUS.texts());

    @Test
    void theSamePromptAlwaysGetsTheSameTextEvenFromANewlyTrainedGenerator() {
        Generation first = GENERATOR.generate("Tell me about the battery.", 20);
        assertThat(GENERATOR.generate("Tell me about the battery.", 20)).isEqualTo(first);
        assertThat(BigramGenerator.train(CORPUS.texts()).generate("Tell me about the battery.", 20)).isEqualTo(first);
    }

    @Test
    void theSeedIsAStableHashOfThePrompt() {
        // Pinned so a change of hash (and so of every generated text) is a visible decision.
        assertThat(BigramGenerator.seedOf("")).isEqualTo(0xe3b0c44298fc1c14L);
    }

    @Test
    void differentPromptsGetDifferentTexts() {
        Set<String> texts = new HashSet<>();
        IntStream.range(0, 20).forEach(i -> texts.add(GENERATOR.generate("prompt " + i, 32).text()));
        assertThat(texts).hasSizeGreaterThan(10);
    }

    @Test
    void stopsAtMaxWordsWithLengthOrAtASentenceEndWithStop() {
        for (int i = 0; i < 50; i++) {
            Generation g = GENERATOR.generate("prompt " + i, 4);
            assertThat(g.words()).hasSizeBetween(1, 4);
            if (g.finishReason() == Generation.FinishReason.STOP) {
                assertThat(g.text()).matches(".*[.!?]");
            } else {
                assertThat(g.words()).hasSize(4);
            }
        }
        assertThat(GENERATOR.generate("x", 1).words()).hasSize(1);
    }

    @Test
    void everyWordAndEveryPairOfWordsComesFromTheTrainingText() {
        Set<String> pairs = new HashSet<>();
        for (String sentence : CORPUS.texts()) {
            String[] words = sentence.split("\\s+");
            for (int i = 0; i + 1 < words.length; i++) {
                pairs.add(words[i] + " " + words[i + 1]);
            }
        }
        List<String> words = GENERATOR.generate("Is the new laptop any good?", 200).words();
        for (int i = 0; i + 1 < words.size(); i++) {
            assertThat(pairs).contains(words.get(i) + " " + words.get(i + 1));
        }
    }

    @Test
    void aMinimumKeepsTheAnswerGoingPastTheEndsOfSentences() {
        for (int i = 0; i < 10; i++) {
            Generation g = GENERATOR.generate("prompt " + i, 200, 150, word -> {});
            assertThat(g.words()).hasSizeGreaterThanOrEqualTo(150).hasSizeLessThanOrEqualTo(200);
        }
        assertThat(GENERATOR.generate("prompt 1", 300, 300, word -> {}).finishReason()).isEqualTo(Generation.FinishReason.LENGTH);
    }

    @Test
    void handsOutEachWordAsItIsDrawn() {
        List<String> seen = new ArrayList<>();
        Generation g = GENERATOR.generate("stream me", 12, seen::add);
        assertThat(seen).isEqualTo(g.words());
    }

    @Test
    void refusesANonPositiveLimitAndEmptyTraining() {
        assertThatThrownBy(() -> GENERATOR.generate("x", 0)).hasMessage("maxWords: 0 (expected: > 0)");
        assertThatThrownBy(() -> BigramGenerator.train(List.of(" "))).hasMessageContaining("no words");
    }
}
