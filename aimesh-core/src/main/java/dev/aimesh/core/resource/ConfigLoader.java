package dev.aimesh.core.resource;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import dev.aimesh.core.config.Diagnostic;
import dev.aimesh.core.config.Diagnostics;
import dev.aimesh.core.config.MappingReader;
import dev.aimesh.core.config.YamlDocuments;
import dev.aimesh.core.config.YamlNode;

/**
 * Turns YAML files into resources. Each document is decoded on its own: a document with any problem is
 * rejected whole (and every problem in it reported), the others are kept.
 */
public final class ConfigLoader {
    private ConfigLoader() {}

    /** A config file's name, as it should appear in messages, and its text. */
    public record SourceFile(String name, String text) {}

    public static LoadResult load(List<SourceFile> files) {
        List<Resource> resources = new ArrayList<>();
        Diagnostics diagnostics = new Diagnostics();
        for (SourceFile file : files) {
            switch (YamlDocuments.parse(file.name(), file.text())) {
                case YamlDocuments.Result.SyntaxError e -> diagnostics.add(e.diagnostic());
                case YamlDocuments.Result.Parsed p -> {
                    for (YamlDocuments.Document document : p.documents()) {
                        document.root().flatMap(root -> decode(root, diagnostics)).ifPresent(resources::add);
                    }
                }
            }
        }
        return new LoadResult(resources, diagnostics.list());
    }

    /**
     * The config the files make: the documents that decoded cleanly, assembled, and every problem (of the
     * documents, then of how they fit together). How the control plane, the proxies and the CLI all read a config.
     */
    public static MeshConfig.Assembled assemble(List<SourceFile> files) {
        return assemble(load(files));
    }

    /** The config that decoded resources make, with the problems of decoding them and of how they fit together. */
    public static MeshConfig.Assembled assemble(LoadResult loaded) {
        MeshConfig.Assembled assembled = MeshConfig.assemble(loaded.resources());
        List<Diagnostic> problems = new ArrayList<>(loaded.diagnostics());
        problems.addAll(assembled.problems());
        return new MeshConfig.Assembled(assembled.config(), List.copyOf(problems));
    }

    private static Optional<Resource> decode(YamlNode root, Diagnostics diagnostics) {
        int before = diagnostics.size();
        Optional<MappingReader> document = MappingReader.of(root, "", diagnostics);
        if (document.isEmpty()) {
            return Optional.empty();
        }
        MappingReader doc = document.get();
        Optional<String> apiVersion = doc.requiredString("apiVersion");
        Optional<String> kind = doc.requiredString("kind");
        Optional<ObjectMeta> metadata = metadata(doc);
        doc.node("status"); // written by Kubernetes, never read
        Optional<Resource> resource = Optional.empty();
        if (apiVersion.isPresent() && kind.isPresent()) {
            ResourceType type = new ResourceType(apiVersion.get(), kind.get());
            Optional<ResourceDecoder> decoder = ResourceDecoders.forType(type);
            if (decoder.isEmpty()) {
                doc.error("kind", "unknown kind '" + kind.get() + "' in apiVersion '" + apiVersion.get()
                        + "' (known: " + ResourceDecoders.knownTypes() + ")");
                doc.node("spec");
            } else {
                Optional<MappingReader> spec = doc.node("spec").isPresent()
                        ? doc.mapping("spec")
                        : MappingReader.of(new YamlNode.Scalar(doc.position(), "", false, true), "spec", diagnostics);
                if (spec.isPresent() && metadata.isPresent()) {
                    resource = decoder.get().decode(metadata.get(), root.position(), spec.get());
                }
            }
        } else {
            doc.node("spec");
        }
        doc.finish();
        return diagnostics.size() == before ? resource : Optional.empty();
    }

    private static Optional<ObjectMeta> metadata(MappingReader doc) {
        if (!doc.has("metadata")) {
            doc.node("metadata");
            doc.error("metadata", "is required");
            return Optional.empty();
        }
        return doc.mapping("metadata").flatMap(m -> {
            Optional<String> name = m.has("name") ? m.value("name", Names::requireSubdomain) : m.requiredString("name");
            String namespace = m.value("namespace", Names::requireLabel).orElse(ObjectMeta.DEFAULT_NAMESPACE);
            var labels = m.stringMap("labels");
            var annotations = m.stringMap("annotations");
            for (String ignored : List.of("uid", "resourceVersion", "generation", "creationTimestamp", "managedFields")) {
                m.node(ignored); // set by Kubernetes, meaningless here
            }
            m.finish();
            return name.map(n -> new ObjectMeta(n, namespace, labels, annotations));
        });
    }

    /** The resources that decoded cleanly and the problems with the rest. */
    public record LoadResult(List<Resource> resources, List<Diagnostic> diagnostics) {
        public LoadResult {
            resources = List.copyOf(resources);
            diagnostics = List.copyOf(diagnostics);
        }

        public boolean ok() {
            return diagnostics.isEmpty();
        }
    }

}
