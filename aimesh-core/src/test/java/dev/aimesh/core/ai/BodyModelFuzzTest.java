package dev.aimesh.core.ai;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzzing of the body peek: any bytes, at any length up to the buffer's, get a value
 * (found, absent or refused with a reason), never an exception, and a found model is within its limit.
 * Inputs that once mattered are replayed from {@code BodyModelFuzzTestInputs/} on every build.
 */
class BodyModelFuzzTest {
    @FuzzTest(maxDuration = "15s")
    void anyBodyGetsAValueNeverAnException(byte[] body) {
        for (int length : new int[] {body.length, body.length / 2}) {
            BodyModel.Result result = BodyModel.scan(body, length);
            switch (result) {
                case BodyModel.Result.Found found -> assertThat(found.model().length()).isBetween(0, 256);
                case BodyModel.Result.Refused refused -> assertThat(refused.reason()).isNotBlank();
                case BodyModel.Result.Absent absent -> { }
            }
        }
    }
}
