package dev.aimesh.demo;

import static java.util.Objects.requireNonNull;

import java.util.Locale;

/** What the chat endpoint answers: the sentiment of the user's message, then generated text. */
public record AssistantReply(Classification sentiment, Generation generation) {
    public AssistantReply {
        requireNonNull(sentiment, "sentiment");
        requireNonNull(generation, "generation");
    }

    /** The reply's first sentence, e.g. {@code Sentiment: positive (0.87).}; streamed before any generated word. */
    public static String sentimentLine(Classification sentiment) {
        return String.format(Locale.ROOT, "Sentiment: %s (%.2f).", sentiment.label(), sentiment.confidence());
    }

    /** Each generated word as streamed: a space, then the word, so the pieces concatenate to {@link #content()}. */
    public static String streamedWord(String word) {
        return " " + word;
    }

    public String content() {
        return sentimentLine(sentiment) + " " + generation.text();
    }
}
