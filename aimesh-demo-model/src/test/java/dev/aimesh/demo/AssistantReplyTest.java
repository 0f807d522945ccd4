package dev.aimesh.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AssistantReplyTest {
    private static Classification positive() {
        Map<String, Double> p = new LinkedHashMap<>();
        p.put("negative", 0.05);
        p.put("neutral", 0.08);
        p.put("positive", 0.87);
        return new Classification("positive", p);
    }

    @Test
    void theContentIsTheSentimentLineThenTheGeneratedWords() {
        AssistantReply reply = new AssistantReply(positive(),
                new Generation(List.of("The", "battery", "lasts."), Generation.FinishReason.STOP));
        assertThat(reply.content()).isEqualTo("Sentiment: positive (0.87). The battery lasts.");
    }

    @Test
    void theStreamedPiecesConcatenateToTheContent() {
        Generation generation = new Generation(List.of("The", "battery", "lasts."), Generation.FinishReason.STOP);
        StringBuilder streamed = new StringBuilder(AssistantReply.sentimentLine(positive()));
        generation.words().forEach(w -> streamed.append(AssistantReply.streamedWord(w)));
        assertThat(streamed).hasToString(new AssistantReply(positive(), generation).content());
    }
}
