package dev.aimesh.core.ai;

/** Counts the LLM tokens of a text, as a model's tokenizer splits it (the proxy's is a BPE encoding). */
@FunctionalInterface
public interface TokenCounter {
    int count(String text);

    /** About four characters a token: for tests, and where no tokenizer is loaded. */
    TokenCounter APPROXIMATE = text -> (text.length() + 3) / 4;
}
