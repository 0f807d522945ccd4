package dev.aimesh.demo;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits text into word pieces: runs of letters and digits (with inner apostrophes, so "don't" is one word),
 * and every other non-space character on its own. The classifier reads the words; {@code usage} counts all pieces.
 */
public final class Tokenizer {
    private static final String WORD = "[\\p{L}\\p{N}]+(?:'[\\p{L}\\p{N}]+)*";
    private static final Pattern WORDS = Pattern.compile(WORD);
    private static final Pattern PIECES = Pattern.compile(WORD + "|\\S");

    private Tokenizer() {}

    /** The words of {@code text}, lower-cased, without punctuation. */
    public static List<String> words(String text) {
        return all(WORDS, text).stream().map(w -> w.toLowerCase(Locale.ROOT)).toList();
    }

    /** Every piece of {@code text} as written: words and punctuation marks. */
    public static List<String> pieces(String text) {
        return all(PIECES, text);
    }

    /** How many pieces {@code text} has; the token count reported to clients. */
    public static int count(String text) {
        requireNonNull(text, "text");
        int count = 0;
        for (Matcher m = PIECES.matcher(text); m.find(); ) {
            count++;
        }
        return count;
    }

    private static List<String> all(Pattern pattern, String text) {
        requireNonNull(text, "text");
        List<String> found = new ArrayList<>();
        for (Matcher m = pattern.matcher(text); m.find(); ) {
            found.add(m.group());
        }
        return found;
    }
}
