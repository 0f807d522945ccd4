package dev.aimesh.demo;

import static java.util.Objects.requireNonNull;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Multinomial naive Bayes over lower-cased words with Laplace (add-one) smoothing. Immutable once trained, so
 * one instance serves every request. Words never seen in training carry no evidence and are skipped.
 */
public final class SentimentClassifier {
    private final List<String> labels;
    private final double[] logPriors;
    private final Map<String, double[]> logLikelihoods;

    private SentimentClassifier(List<String> labels, double[] logPriors, Map<String, double[]> logLikelihoods) {
        this.labels = labels;
        this.logPriors = logPriors;
        this.logLikelihoods = logLikelihoods;
    }

    public static SentimentClassifier train(SentimentCorpus corpus) {
        requireNonNull(corpus, "corpus");
        List<String> labels = corpus.labels();
        int[] sentencesPerLabel = new int[labels.size()];
        long[] wordsPerLabel = new long[labels.size()];
        Map<String, long[]> counts = new HashMap<>();
        for (LabelledSentence sentence : corpus.sentences()) {
            int label = labels.indexOf(sentence.label());
            sentencesPerLabel[label]++;
            for (String word : Tokenizer.words(sentence.text())) {
                counts.computeIfAbsent(word, w -> new long[labels.size()])[label]++;
                wordsPerLabel[label]++;
            }
        }
        double[] logPriors = new double[labels.size()];
        for (int i = 0; i < labels.size(); i++) {
            logPriors[i] = Math.log((double) sentencesPerLabel[i] / corpus.sentences().size());
        }
        int vocabulary = counts.size();
        Map<String, double[]> logLikelihoods = new HashMap<>();
        counts.forEach((word, perLabel) -> {
            double[] logs = new double[labels.size()];
            for (int i = 0; i < labels.size(); i++) {
                logs[i] = Math.log((perLabel[i] + 1.0) / (wordsPerLabel[i] + vocabulary));
            }
            logLikelihoods.put(word, logs);
        });
        return new SentimentClassifier(labels, logPriors, Map.copyOf(logLikelihoods));
    }

    public Classification classify(String text) {
        requireNonNull(text, "text");
        double[] scores = logPriors.clone();
        for (String word : Tokenizer.words(text)) {
            double[] logs = logLikelihoods.get(word);
            if (logs != null) {
                for (int i = 0; i < scores.length; i++) {
                    scores[i] += logs[i];
                }
            }
        }
        double[] probabilities = softmax(scores);
        int best = 0;
        Map<String, Double> byLabel = new LinkedHashMap<>();
        for (int i = 0; i < labels.size(); i++) {
            byLabel.put(labels.get(i), probabilities[i]);
            if (probabilities[i] > probabilities[best]) {
                best = i;
            }
        }
        return new Classification(labels.get(best), byLabel);
    }

    /** The labels in the order of every probability vector. */
    public List<String> labels() {
        return labels;
    }

    private static double[] softmax(double[] logScores) {
        // Shifting by the maximum keeps exp() from underflowing on long texts.
        double max = Double.NEGATIVE_INFINITY;
        for (double s : logScores) {
            max = Math.max(max, s);
        }
        double[] result = new double[logScores.length];
        double sum = 0;
        for (int i = 0; i < logScores.length; i++) {
            result[i] = Math.exp(logScores[i] - max);
            sum += result[i];
        }
        for (int i = 0; i < result.length; i++) {
            result[i] /= sum;
        }
        return result;
    }
}
