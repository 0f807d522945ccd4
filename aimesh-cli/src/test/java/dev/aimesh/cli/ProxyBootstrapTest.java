package dev.aimesh.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ProxyBootstrapTest {
    @Test
    void readsTheGrpcAddressAndEachWorkloadsListeners() {
        ProxyBootstrap bootstrap = ProxyBootstrap.parse("""
                grpc 127.0.0.1:15012
                workload models/sentiment inbound-port 15006 upstream 127.0.0.1:8000 protocol h2c
                workload apps/chat outbound-port 15001
                workload apps/batch
                """);
        assertThat(bootstrap.grpc().getPort()).isEqualTo(15012);
        var model = bootstrap.workload("sentiment").orElseThrow();
        assertThat(model.field("inbound-port")).contains("15006");
        assertThat(model.field("upstream")).contains("127.0.0.1:8000");
        assertThat(model.field("protocol")).contains("h2c");
        assertThat(model.field("outbound-port")).isEmpty();
        assertThat(bootstrap.workload("apps/chat").orElseThrow().field("outbound-port")).contains("15001");
        assertThat(bootstrap.workload("apps/batch").orElseThrow().fields()).isEmpty();
        assertThat(bootstrap.workload("models/chat")).as("the namespace must match too").isEmpty();
    }

    @Test
    void aTextWithoutAGrpcAddressIsRefusedWithWhatToDo() {
        assertThatThrownBy(() -> ProxyBootstrap.parse("{\"trustDomain\":\"x\"}\n"))
                .isInstanceOf(CliException.class).hasMessageContaining("pass --grpc-address");
    }
}
