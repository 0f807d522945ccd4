package dev.aimesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator.ExecutionStatus;
import org.junit.jupiter.api.Test;

class LogConfigurationTest {
    private static LoggerContext configured(String level) {
        LoggerContext context = new LoggerContext();
        context.start(); // as logback starts its default context before configuring it
        String before = System.getProperty("aimesh.log.level");
        try {
            if (level == null) {
                System.clearProperty("aimesh.log.level");
            } else {
                System.setProperty("aimesh.log.level", level);
            }
            LogConfiguration configuration = new LogConfiguration();
            configuration.setContext(context);
            assertThat(configuration.configure(context)).isEqualTo(ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY);
        } finally {
            if (before == null) {
                System.clearProperty("aimesh.log.level");
            } else {
                System.setProperty("aimesh.log.level", before);
            }
        }
        return context;
    }

    @Test
    void theLevelFollowsTheCommandAndGrpcAndNettyStayAtWarn() {
        LoggerContext info = configured("INFO");
        assertThat(info.getLogger("dev.aimesh.proxy.Proxy").getEffectiveLevel()).isEqualTo(Level.INFO);
        assertThat(info.getLogger("io.grpc.internal.ManagedChannelImpl").getEffectiveLevel()).isEqualTo(Level.WARN);
        assertThat(info.getLogger("io.netty.channel.DefaultChannelPipeline").getEffectiveLevel()).isEqualTo(Level.WARN);
        assertThat(configured(null).getLogger("dev.aimesh.proxy.Proxy").getEffectiveLevel()).isEqualTo(Level.WARN);
        assertThat(configured("nonsense").getLogger("dev.aimesh.proxy.Proxy").getEffectiveLevel()).isEqualTo(Level.WARN);
    }

    @Test
    void linesGoToStderrAsTimeLevelLoggerAndMessage() {
        LoggerContext context = configured("INFO");
        var appender = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender("STDERR");
        assertThat(appender).isInstanceOfSatisfying(ch.qos.logback.core.ConsoleAppender.class, console -> {
            assertThat(console.isStarted()).isTrue();
            assertThat(console.getTarget()).isEqualTo("System.err");
            ch.qos.logback.classic.spi.LoggingEvent event = new ch.qos.logback.classic.spi.LoggingEvent(
                    LogConfigurationTest.class.getName(), context.getLogger("dev.aimesh.proxy.Proxy"), Level.INFO,
                    "proxy for {} ready", null, new Object[] {"apps/chat"});
            @SuppressWarnings("unchecked")
            byte[] line = ((ch.qos.logback.core.encoder.Encoder<ch.qos.logback.classic.spi.ILoggingEvent>) console.getEncoder())
                    .encode(event);
            assertThat(new String(line, StandardCharsets.UTF_8))
                    .matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO  Proxy: proxy for apps/chat ready\\R");
        });
    }
}
