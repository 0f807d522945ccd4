package dev.aimesh.demo;

import static java.util.Objects.requireNonNull;

import java.util.List;

/** Generated words and why generation ended. */
public record Generation(List<String> words, FinishReason finishReason) {
    public Generation {
        words = List.copyOf(requireNonNull(words, "words"));
        requireNonNull(finishReason, "finishReason");
    }

    public String text() {
        return String.join(" ", words);
    }

    /** Why generation ended, with the name the OpenAI API gives it. */
    public enum FinishReason {
        /** A sentence came to its end. */
        STOP("stop"),
        /** The word limit was reached first. */
        LENGTH("length");

        private final String wireName;

        FinishReason(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }
    }
}
