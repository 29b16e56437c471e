package io.vrouter.linklocal.proxy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/** Captures the proxy's log lines ({@link ProxyLog} writes as {@link MetadataProxy}) while open. */
final class ProxyLogCapture implements AutoCloseable {
    private final Logger logger = (Logger) LoggerFactory.getLogger(MetadataProxy.class);
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    ProxyLogCapture() {
        appender.start();
        logger.addAppender(appender);
    }

    /** The formatted lines at {@code level} or above, in order. */
    List<String> lines(Level level) {
        return appender.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(level))
                .map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
    }
}
