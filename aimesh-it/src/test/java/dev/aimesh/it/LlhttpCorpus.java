package dev.aimesh.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads llhttp's request corpus (markdown: a meta comment, an {@code http} block with the raw request,
 * a {@code log} block with the parse events). The raw text is turned into bytes by the corpus's own
 * conventions: line breaks become CRLF, a trailing backslash joins lines, and {@code \r \n \t \f \xHH}
 * and octal escapes stand for their bytes.
 */
final class LlhttpCorpus {
    private static final Pattern META_TYPE = Pattern.compile("\"type\"\\s*:\\s*\"([^\"]+)\"");

    /** One case: where it is, llhttp's mode, the bytes, and what llhttp did with them. */
    record Case(String file, int line, String title, String type, byte[] bytes, boolean rejected, int completedBeforeError,
            String reason) {
        boolean strictType() {
            return type.equals("request") || type.equals("request-finish");
        }

        String name() {
            return file + ":" + line + " " + title;
        }
    }

    private LlhttpCorpus() {}

    static List<Case> read(Path dir) throws IOException {
        List<Case> cases = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(p -> p.toString().endsWith(".md")).sorted().toList()) {
                cases.addAll(readFile(file));
            }
        }
        return cases;
    }

    private static List<Case> readFile(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, java.nio.charset.StandardCharsets.ISO_8859_1);
        List<Case> cases = new ArrayList<>();
        String title = "";
        String type = null;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.startsWith("#")) {
                title = line.replaceFirst("^#+\\s*", "");
            } else if (line.startsWith("<!-- meta=")) {
                Matcher m = META_TYPE.matcher(line);
                type = m.find() ? m.group(1) : null;
            } else if (line.equals("```http") && type != null) {
                int start = i + 1;
                StringBuilder raw = new StringBuilder();
                for (i = start; !lines.get(i).equals("```"); i++) {
                    raw.append(lines.get(i)).append('\n');
                }
                List<String> log = new ArrayList<>();
                int j = i + 1;
                while (j < lines.size() && !lines.get(j).equals("```log")) {
                    j++;
                }
                for (j = j + 1; j < lines.size() && !lines.get(j).equals("```"); j++) {
                    log.add(lines.get(j));
                }
                cases.add(toCase(file.getFileName().toString(), start, title, type, raw.toString(), log));
                type = null;
            }
        }
        return cases;
    }

    private static Case toCase(String file, int line, String title, String type, String raw, List<String> log) {
        int completed = 0;
        String reason = null;
        for (String entry : log) {
            if (entry.contains(" error code=")) {
                reason = entry.replaceFirst(".*reason=", "");
                break;
            }
            if (entry.endsWith("message complete")) {
                completed++;
            }
        }
        return new Case(file, line, title, type, bytes(raw), reason != null, completed, reason);
    }

    static byte[] bytes(String raw) {
        String s = raw.endsWith("\n") ? raw.substring(0, raw.length() - 1) : raw;
        s = s.replaceAll("\\\\(\r\n|\r|\n)", "");
        s = s.replaceAll("\r\n|\r|\n", "\r\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\' || i + 1 >= s.length()) {
                out.write(c);
                continue;
            }
            char next = s.charAt(i + 1);
            switch (next) {
                case 'r' -> { out.write('\r'); i++; }
                case 'n' -> { out.write('\n'); i++; }
                case 't' -> { out.write('\t'); i++; }
                case 'f' -> { out.write('\f'); i++; }
                case 'x' -> {
                    int end = i + 2;
                    while (end < s.length() && Character.digit(s.charAt(end), 16) >= 0) {
                        end++;
                    }
                    out.write(Integer.parseInt(s.substring(i + 2, end), 16));
                    i = end - 1;
                }
                default -> {
                    if (next >= '0' && next <= '7') {
                        int end = i + 1;
                        while (end < s.length() && end < i + 4 && s.charAt(end) >= '0' && s.charAt(end) <= '7') {
                            end++;
                        }
                        out.write(Integer.parseInt(s.substring(i + 1, end), 8));
                        i = end - 1;
                    } else {
                        out.write(c);
                    }
                }
            }
        }
        return out.toByteArray();
    }
}
