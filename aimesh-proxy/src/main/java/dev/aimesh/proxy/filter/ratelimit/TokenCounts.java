package dev.aimesh.proxy.filter.ratelimit;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import dev.aimesh.core.ai.TokenCounter;

/**
 * The proxy's tokenizer: OpenAI's {@code cl100k_base} byte-pair encoding (jtokkit). Other models' tokenizers split
 * text a little differently; what a limit is charged is settled against the server's reported usage when it gives
 * one. Its tables (a few MB) are loaded once, when a policy first counts tokens: never on an event loop.
 */
public final class TokenCounts {
    private TokenCounts() {}

    private static final TokenCounter COUNTER = text -> text.isEmpty() ? 0 : Tables.ENCODING.countTokensOrdinary(text);

    private static final class Tables {
        static final Encoding ENCODING = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.CL100K_BASE);
    }

    /** The counter; its tables load on its first use, or on {@link #load()}. */
    public static TokenCounter tokenizer() {
        return COUNTER;
    }

    /** Loads the tables now, where waiting for them blocks nothing. */
    public static void load() {
        Tables.ENCODING.getName();
    }
}
