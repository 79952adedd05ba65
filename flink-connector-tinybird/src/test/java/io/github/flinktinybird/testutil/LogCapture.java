package io.github.flinktinybird.testutil;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Captures every log line (message and stack trace) at every level while open, so that tests can
 * assert what users would see in their TaskManager logs, e.g. that the token never appears.
 */
public final class LogCapture implements AutoCloseable {
    private final List<String> lines = new ArrayList<>();
    private final AbstractAppender appender;
    private final Level previousRootLevel;

    private LogCapture() {
        appender =
                new AbstractAppender("capture-" + UUID.randomUUID(), null, null, true, Property.EMPTY_ARRAY) {
                    @Override
                    public void append(LogEvent event) {
                        StringBuilder line = new StringBuilder(event.getLoggerName())
                                .append(' ')
                                .append(event.getMessage().getFormattedMessage());
                        if (event.getThrown() != null) {
                            StringWriter trace = new StringWriter();
                            event.getThrown().printStackTrace(new PrintWriter(trace));
                            line.append('\n').append(trace);
                        }
                        synchronized (lines) {
                            lines.add(line.toString());
                        }
                    }
                };
        appender.start();
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        Configuration config = context.getConfiguration();
        LoggerConfig root = config.getRootLogger();
        previousRootLevel = root.getLevel();
        root.addAppender(appender, Level.ALL, null);
        root.setLevel(Level.ALL);
        config.getLoggers().values().forEach(logger -> logger.setLevel(Level.ALL));
        context.updateLoggers();
    }

    /** Starts capturing everything, DEBUG and TRACE included. */
    public static LogCapture all() {
        return new LogCapture();
    }

    public List<String> lines() {
        synchronized (lines) {
            return new ArrayList<>(lines);
        }
    }

    @Override
    public void close() {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        context.getConfiguration().getRootLogger().removeAppender(appender.getName());
        context.reconfigure();
        appender.stop();
        if (previousRootLevel == null) {
            return;
        }
    }
}
