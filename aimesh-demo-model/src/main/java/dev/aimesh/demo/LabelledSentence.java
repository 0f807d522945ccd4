package dev.aimesh.demo;

import static java.util.Objects.requireNonNull;

/** One training example: a sentence and the sentiment it expresses. */
public record LabelledSentence(String label, String text) {
    public LabelledSentence {
        requireNonNull(label, "label");
        requireNonNull(text, "text");
    }
}
