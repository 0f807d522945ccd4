package dev.aimesh.demo;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The labelled sentences the demo model learns from. The file format is one {@code label<TAB>text} a line;
 * blank lines and lines starting with {@code #} are skipped.
 */
public record SentimentCorpus(List<LabelledSentence> sentences) {
    /** The corpus shipped with the module, written for it. */
    public static final String BUNDLED_RESOURCE = "/dev/aimesh/demo/sentiment.tsv";
    private static final Pattern LABEL = Pattern.compile("[a-z][a-z_-]*");

    public SentimentCorpus {
        sentences = List.copyOf(requireNonNull(sentences, "sentences"));
        if (sentences.isEmpty()) {
            throw new IllegalArgumentException("sentences: empty (expected: at least one labelled sentence)");
        }
    }

    public static SentimentCorpus bundled() {
        try (InputStream in = SentimentCorpus.class.getResourceAsStream(BUNDLED_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the training data " + BUNDLED_RESOURCE + " is missing from the classpath");
            }
            return parse(BUNDLED_RESOURCE, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + BUNDLED_RESOURCE, e);
        }
    }

    /** Parses the file format; a bad line fails with {@code source:line: problem}. */
    public static SentimentCorpus parse(String source, String content) {
        requireNonNull(source, "source");
        requireNonNull(content, "content");
        List<LabelledSentence> sentences = new ArrayList<>();
        String[] lines = content.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int tab = lines[i].indexOf('\t');
            String where = source + ":" + (i + 1) + ": ";
            if (tab < 0) {
                throw new IllegalArgumentException(where + "no tab (expected: label<TAB>text)");
            }
            String label = lines[i].substring(0, tab).strip();
            String text = lines[i].substring(tab + 1).strip();
            if (!LABEL.matcher(label).matches()) {
                throw new IllegalArgumentException(where + "label \"" + label + "\" (expected: lower-case letters)");
            }
            if (text.isEmpty()) {
                throw new IllegalArgumentException(where + "empty text");
            }
            sentences.add(new LabelledSentence(label, text));
        }
        return new SentimentCorpus(sentences);
    }

    /** The distinct labels, sorted: the order of every probability vector the model returns. */
    public List<String> labels() {
        return sentences.stream().map(LabelledSentence::label).distinct().sorted().toList();
    }

    public List<String> texts() {
        return sentences.stream().map(LabelledSentence::text).toList();
    }
}
