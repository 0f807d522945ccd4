package dev.aimesh.core.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.common.ScalarStyle;
import org.snakeyaml.engine.v2.composer.Composer;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;
import org.snakeyaml.engine.v2.parser.ParserImpl;
import org.snakeyaml.engine.v2.scanner.StreamReader;

/** Reads the YAML documents of one file into {@link YamlNode}s that remember their positions. */
public final class YamlDocuments {
    private static final int MAX_ALIASES = 50;

    private YamlDocuments() {}

    /** One document of a file; {@code root} is empty for an empty document. */
    public record Document(int index, Position position, Optional<YamlNode> root) {}

    /** The documents, or a syntax error as a diagnostic. */
    public sealed interface Result {
        record Parsed(List<Document> documents) implements Result {}

        record SyntaxError(Diagnostic diagnostic) implements Result {}
    }

    public static Result parse(String file, String text) {
        LoadSettings settings = LoadSettings.builder()
                .setLabel(file)
                .setMaxAliasesForCollections(MAX_ALIASES)
                .setCodePointLimit(8 * 1024 * 1024)
                .build();
        try {
            Composer composer = new Composer(settings, new ParserImpl(settings, new StreamReader(settings, text)));
            List<Document> documents = new ArrayList<>();
            while (composer.hasNext()) {
                Node node = composer.next();
                Position position = position(file, node.getStartMark());
                // A document with nothing in it (a stray or trailing "---") is skipped, as kubectl does.
                documents.add(new Document(documents.size(), position, Optional.ofNullable(convert(file, node))
                        .filter(root -> !(root instanceof YamlNode.Scalar scalar && scalar.isNull() && !scalar.quoted()))));
            }
            return new Result.Parsed(documents);
        } catch (DuplicateKey e) {
            return new Result.SyntaxError(e.diagnostic);
        } catch (MarkedYamlEngineException e) {
            Position where = e.getProblemMark().or(e::getContextMark)
                    .map(m -> position(file, Optional.of(m))).orElse(Position.unknown(file));
            String problem = e.getProblem() == null ? "invalid YAML" : e.getProblem();
            return new Result.SyntaxError(new Diagnostic(where, "", "invalid YAML: " + problem));
        } catch (YamlEngineException e) {
            return new Result.SyntaxError(new Diagnostic(Position.unknown(file), "", "invalid YAML: " + e.getMessage()));
        }
    }

    private static YamlNode convert(String file, Node node) {
        Position position = position(file, node.getStartMark());
        return switch (node) {
            case ScalarNode s -> {
                boolean isNull = s.getTag().equals(Tag.NULL);
                yield new YamlNode.Scalar(position, isNull ? "" : s.getValue(),
                        s.getScalarStyle() != ScalarStyle.PLAIN, isNull);
            }
            case SequenceNode seq -> {
                List<YamlNode> items = new ArrayList<>(seq.getValue().size());
                for (Node item : seq.getValue()) {
                    items.add(convert(file, item));
                }
                yield new YamlNode.Sequence(position, items);
            }
            case MappingNode map -> {
                Map<String, YamlNode> entries = new LinkedHashMap<>();
                Map<String, Position> keyPositions = new LinkedHashMap<>();
                for (NodeTuple tuple : map.getValue()) {
                    Node keyNode = tuple.getKeyNode();
                    String key = keyNode instanceof ScalarNode k ? k.getValue() : "<" + keyNode.getNodeType() + " key>";
                    Position keyPosition = position(file, keyNode.getStartMark());
                    Position first = keyPositions.putIfAbsent(key, keyPosition);
                    if (first != null) {
                        throw new DuplicateKey(new Diagnostic(keyPosition, "", "invalid YAML: duplicate key '" + key
                                + "' (first at line " + first.line() + ")"));
                    }
                    entries.put(key, convert(file, tuple.getValueNode()));
                }
                yield new YamlNode.Mapping(position, entries, keyPositions);
            }
            default -> new YamlNode.Scalar(position, "", false, true);
        };
    }

    /** Duplicate keys are legal for the composer but ambiguous for us: which value did the user mean? */
    private static final class DuplicateKey extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient Diagnostic diagnostic;

        DuplicateKey(Diagnostic diagnostic) {
            super(diagnostic.message(), null, false, false);
            this.diagnostic = diagnostic;
        }
    }

    private static Position position(String file, Optional<Mark> mark) {
        return mark.map(m -> new Position(file, m.getLine() + 1, m.getColumn() + 1)).orElse(Position.unknown(file));
    }
}
