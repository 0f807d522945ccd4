package dev.aimesh.proxy.filter.ratelimit;

import dev.aimesh.core.ai.TokenCounter;
import dev.aimesh.proxy.filter.common.SecurityEventSink;

/**
 * How the rate-limit filter runs.
 *
 * @param counters where the limits' counts live (one per proxy, across config versions)
 * @param tokens the tokenizer that counts prompts and answers
 * @param maxBodyBytes how much of a request body is read to estimate its prompt's tokens (and find its model); past
 *     it, the estimate is of what was read, and the answer's usage settles the rest
 * @param maxEventBytes how much of one streamed event is kept to count its tokens; a longer one is counted by its size
 */
public record RateLimitConfig(SecurityEventSink events, LocalCounters counters, TokenCounter tokens, int maxBodyBytes,
        int maxEventBytes) {
    public static final int DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
    public static final int DEFAULT_MAX_EVENT_BYTES = 256 * 1024;

    public static RateLimitConfig defaults(SecurityEventSink events) {
        return new RateLimitConfig(events, new LocalCounters(LocalCounters.DEFAULT_MAX_KEYS), TokenCounts.tokenizer(),
                DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_EVENT_BYTES);
    }
}
