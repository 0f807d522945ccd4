package dev.aimesh.proxy.filter;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.ByteBuf;

/**
 * What a filter's hook decided, as a value: go on, answer in the proxy's name, replace what it was given, or
 * hold the request body (up to a cap the filter declares) before deciding.
 */
public sealed interface FilterDecision {
    /** The one instance: go on to the next filter. */
    Continue CONTINUE = new Continue();

    final class Continue implements FilterDecision {
        private Continue() {}

        @Override
        public String toString() {
            return "Continue";
        }
    }

    /**
     * Answer with {@code status} now (nothing further goes upstream); {@code code} is the stable reason the
     * {@code x-aimesh-reason} header carries, {@code message} the one line of the body, {@code headers} fields the
     * answer carries besides ({@code Retry-After}).
     */
    record Respond(int status, String code, String message, java.util.Map<String, String> headers)
            implements FilterDecision, ChainStep {
        public Respond {
            if (status < 200 || status > 599) {
                throw new IllegalArgumentException("status: " + status + " (expected: 200..599)");
            }
            requireNonNull(code, "code");
            requireNonNull(message, "message");
            headers = java.util.Map.copyOf(headers);
        }

        public Respond(int status, String code, String message) {
            this(status, code, message, java.util.Map.of());
        }
    }

    /**
     * From a header hook: the fields of {@code replacement} take the place of the block's fields (pseudo-headers
     * stay). Editing the block in place through its {@link HeaderMap} and continuing does the same for less.
     */
    record ReplaceHeaders(java.util.Map<String, java.util.List<String>> replacement) implements FilterDecision {
        public ReplaceHeaders {
            replacement = java.util.Map.copyOf(requireNonNull(replacement, "replacement"));
        }
    }

    /**
     * From a body-chunk hook: {@code chunk} goes on instead of the one the filter was given; from the held-body hook,
     * instead of the whole body. The filter hands over its reference to {@code chunk}; what it replaces is released
     * by the chain.
     */
    record ReplaceChunk(ByteBuf chunk) implements FilterDecision {
        public ReplaceChunk {
            requireNonNull(chunk, "chunk");
        }
    }

    /**
     * From a response-body hook: {@code chunk} is the last of the response, sent in place of the one the filter was
     * given; the rest of the upstream's answer is not read (the upstream exchange is given up), and the filters after
     * this one see {@code chunk} as the last. A stream ended this way ends cleanly for the client, as a finished one.
     */
    record EndResponse(ByteBuf chunk) implements FilterDecision {
        public EndResponse {
            requireNonNull(chunk, "chunk");
        }
    }

    /**
     * From the request-headers hook: read the request body, at most {@code maxBytes} of it, before this filter
     * decides ({@link HttpFilter#onHeldRequestBody}); the filters after it wait too. {@code overCap} says what a
     * longer body gets.
     */
    record Hold(int maxBytes, OverCap overCap) implements FilterDecision, ChainStep {
        public Hold {
            if (maxBytes < 1) {
                throw new IllegalArgumentException("maxBytes: " + maxBytes + " (expected: > 0)");
            }
            requireNonNull(overCap, "overCap");
        }
    }

    /** What a body longer than a hold's cap gets. */
    sealed interface OverCap {
        /** The filter decides with the first {@code maxBytes} (not complete): an attribute it needed stays unknown. */
        OverCap CONTINUE_WITHOUT = new ContinueWithout();

        /** 413 (or the status given) with this reason, decided without the filter. */
        record Refuse(Respond answer) implements OverCap {
            public Refuse {
                requireNonNull(answer, "answer");
            }
        }

        final class ContinueWithout implements OverCap {
            private ContinueWithout() {}
        }
    }
}
