package dev.aimesh.core.ai;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** What a request asks of a model server, as the key {@code request.ai.operation} names it. */
public enum AiOperation {
    CHAT, COMPLETIONS, EMBEDDINGS, INFER, METADATA, ADMIN;

    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<AiOperation> of(String key) {
        return Arrays.stream(values()).filter(o -> o.key().equals(key)).findFirst();
    }

    public static String keys() {
        return String.join(", ", Arrays.stream(values()).map(AiOperation::key).toList());
    }
}
