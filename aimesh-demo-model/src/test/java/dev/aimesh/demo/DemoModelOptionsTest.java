package dev.aimesh.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class DemoModelOptionsTest {
    @Test
    void defaultsToLoopbackPort8000AndSentimentV1() {
        DemoModelOptions options = DemoModelOptions.parse();
        assertThat(options.listen()).isEqualTo(new InetSocketAddress("127.0.0.1", 8000));
        assertThat(options.model()).isEqualTo("sentiment-v1");
        assertThat(options.tokenDelay()).isEqualTo(Duration.ofMillis(20));
    }

    @Test
    void readsEveryOptionIncludingBracketedIpv6() {
        DemoModelOptions options = DemoModelOptions.parse("--listen", "[::1]:0", "--model", "m2", "--token-delay-ms", "0");
        assertThat(options.listen()).isEqualTo(new InetSocketAddress("::1", 0));
        assertThat(options.model()).isEqualTo("m2");
        assertThat(options.tokenDelay()).isZero();
        assertThat(DemoModelOptions.hostPort(new InetSocketAddress("::1", 80))).isEqualTo("[0:0:0:0:0:0:0:1]:80");
        assertThat(DemoModelOptions.hostPort(new InetSocketAddress("127.0.0.1", 80))).isEqualTo("127.0.0.1:80");
    }

    @Test
    void aBadArgumentFailsNamingIt() {
        assertThatThrownBy(() -> DemoModelOptions.parse("--listen")).hasMessage("--listen: missing value");
        assertThatThrownBy(() -> DemoModelOptions.parse("--listen", "8000")).hasMessageStartingWith("--listen: 8000 (expected: HOST:PORT");
        assertThatThrownBy(() -> DemoModelOptions.parse("--listen", "127.0.0.1:x")).hasMessageStartingWith("--listen: 127.0.0.1:x");
        assertThatThrownBy(() -> DemoModelOptions.parse("--listen", "127.0.0.1:70000")).hasMessage("--listen: port 70000 (expected: 0..65535)");
        assertThatThrownBy(() -> DemoModelOptions.parse("--model", "a/b")).hasMessageStartingWith("--model: \"a/b\"");
        assertThatThrownBy(() -> DemoModelOptions.parse("--token-delay-ms", "-1")).hasMessage("--token-delay-ms: -1 (expected: an integer >= 0)");
        assertThatThrownBy(() -> DemoModelOptions.parse("--port", "1")).hasMessage("unknown option: --port");
        assertThatThrownBy(() -> DemoModelOptions.parse("serve")).hasMessage("unexpected argument: serve");
    }
}
