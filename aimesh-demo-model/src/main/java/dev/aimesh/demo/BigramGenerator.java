package dev.aimesh.demo;

import static java.util.Objects.requireNonNull;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * A word-bigram chain learnt from sentences: each word is followed by one of the words that followed it in
 * training, drawn in proportion to how often. The draws are seeded from a hash of the prompt, so the same prompt
 * always gets the same text, on any JVM.
 */
public final class BigramGenerator {
    // Words are non-empty whitespace-free strings, so the empty string can mark the end of a sentence.
    private static final String END = "";

    private final List<String> starts;
    private final Map<String, List<String>> successors;

    private BigramGenerator(List<String> starts, Map<String, List<String>> successors) {
        this.starts = starts;
        this.successors = successors;
    }

    public static BigramGenerator train(List<String> sentences) {
        requireNonNull(sentences, "sentences");
        List<String> starts = new ArrayList<>();
        Map<String, List<String>> successors = new HashMap<>();
        for (String sentence : sentences) {
            String[] words = sentence.strip().split("\\s+");
            if (words[0].isEmpty()) {
                continue;
            }
            starts.add(words[0]);
            for (int i = 0; i < words.length; i++) {
                String next = i + 1 < words.length ? words[i + 1] : END;
                successors.computeIfAbsent(words[i], w -> new ArrayList<>()).add(next);
            }
        }
        if (starts.isEmpty()) {
            throw new IllegalArgumentException("sentences: no words to learn from");
        }
        Map<String, List<String>> frozen = new HashMap<>();
        successors.forEach((word, next) -> frozen.put(word, List.copyOf(next)));
        return new BigramGenerator(List.copyOf(starts), Map.copyOf(frozen));
    }

    public Generation generate(String prompt, int maxWords) {
        return generate(prompt, maxWords, word -> {});
    }

    /** Generates up to {@code maxWords} words, handing each to {@code onWord} as soon as it is drawn. */
    public Generation generate(String prompt, int maxWords, Consumer<String> onWord) {
        return generate(prompt, maxWords, 0, onWord);
    }

    /**
     * As {@link #generate(String, int, Consumer)}, with a sentence that ends before {@code minWords} followed by another:
     * at least {@code minWords} words (at most {@code maxWords}).
     */
    public Generation generate(String prompt, int maxWords, int minWords, Consumer<String> onWord) {
        requireNonNull(prompt, "prompt");
        requireNonNull(onWord, "onWord");
        if (maxWords < 1) {
            throw new IllegalArgumentException("maxWords: " + maxWords + " (expected: > 0)");
        }
        SplittableRandom random = new SplittableRandom(seedOf(prompt));
        List<String> words = new ArrayList<>();
        String word = pick(starts, random);
        while (true) {
            words.add(word);
            onWord.accept(word);
            String next = pick(successors.get(word), random);
            if (next.equals(END)) {
                if (words.size() >= minWords) {
                    return new Generation(words, Generation.FinishReason.STOP);
                }
                next = pick(starts, random); // not long enough yet: another sentence
            }
            if (words.size() == maxWords) {
                return new Generation(words, Generation.FinishReason.LENGTH);
            }
            word = next;
        }
    }

    /** The first 8 bytes of SHA-256 of the prompt: stable across runs, unlike a salted or JVM-specific hash. */
    static long seedOf(String prompt) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(prompt.getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.wrap(digest).getLong();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static String pick(List<String> choices, SplittableRandom random) {
        return choices.get(random.nextInt(choices.size()));
    }
}
