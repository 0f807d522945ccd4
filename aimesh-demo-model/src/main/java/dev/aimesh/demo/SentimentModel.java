package dev.aimesh.demo;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.function.Consumer;

/** The model as served: a name, a version, and a classifier and a generator trained from one corpus. */
public final class SentimentModel {
    public static final String VERSION = "1";

    private final String name;
    private final SentimentClassifier classifier;
    private final BigramGenerator generator;

    private SentimentModel(String name, SentimentClassifier classifier, BigramGenerator generator) {
        this.name = name;
        this.classifier = classifier;
        this.generator = generator;
    }

    public static SentimentModel trainedOn(String name, SentimentCorpus corpus) {
        requireNonNull(name, "name");
        requireNonNull(corpus, "corpus");
        if (name.isBlank() || name.contains("/")) {
            throw new IllegalArgumentException("name: \"" + name + "\" (expected: a non-blank name without '/')");
        }
        return new SentimentModel(name, SentimentClassifier.train(corpus), BigramGenerator.train(corpus.texts()));
    }

    /** Trains on the corpus shipped with the module; takes a few milliseconds. */
    public static SentimentModel bundled(String name) {
        return trainedOn(name, SentimentCorpus.bundled());
    }

    public String name() {
        return name;
    }

    public String version() {
        return VERSION;
    }

    public List<String> labels() {
        return classifier.labels();
    }

    public Classification classify(String text) {
        return classifier.classify(text);
    }

    public Generation generate(String prompt, int maxWords, int minWords, Consumer<String> onWord) {
        return generator.generate(prompt, maxWords, minWords, onWord);
    }

    /** The whole assistant reply to {@code prompt}, computed at once. */
    public AssistantReply reply(String prompt, int maxWords) {
        return reply(prompt, maxWords, 0);
    }

    public AssistantReply reply(String prompt, int maxWords, int minWords) {
        return new AssistantReply(classify(prompt), generator.generate(prompt, maxWords, minWords, word -> {}));
    }
}
