package io.vrouter.linklocal.proxy;

import static org.junit.jupiter.api.Assertions.*;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LogRateLimiterTest {
    private final AtomicLong now = new AtomicLong(1_000);
    private final LogRateLimiter limiter = new LogRateLimiter(3, 100, now::get);

    @Test
    void shouldWriteTheConfiguredLinesPerIntervalThenCountTheRest() {
        LogRateLimiter.Topic t = limiter.topic();
        assertEquals(0, t.admit());
        assertEquals(0, t.admit());
        assertEquals(0, t.admit());
        for (int i = 0; i < 7; i++) {
            assertEquals(-1, t.admit());
        }
        now.addAndGet(100);
        assertEquals(7, t.admit(), "the next line written says how many were suppressed");
        assertEquals(0, t.admit());
    }

    @Test
    void shouldLimitEachTopicOnItsOwn() {
        LogRateLimiter.Topic a = limiter.topic();
        LogRateLimiter.Topic b = limiter.topic();
        for (int i = 0; i < 5; i++) {
            a.admit();
        }
        assertEquals(0, b.admit(), "a flood of one reason does not silence another");
    }

    @Test
    void shouldSaySoWhenLinesWereSuppressed() {
        assertEquals("", LogRateLimiter.suppressedNote(0));
        assertEquals(" (4 similar lines suppressed)", LogRateLimiter.suppressedNote(4));
    }

    @Test
    void escapeShouldLeaveNoControlByteAndBeUnambiguous() {
        assertEquals("/latest/meta-data/", ProxyLog.escape("/latest/meta-data/"));
        assertEquals("\\x1b[31m\\x00\\x07\\x0d\\x0a\\\\x\\xe9\\u2028",
                ProxyLog.escape("\u001b[31m\u0000\u0007\r\n\\x\u00e9\u2028"));
        assertEquals("a".repeat(ProxyLog.MAX_LOGGED_CHARS) + "...", ProxyLog.escape("a".repeat(500)));
        assertEquals("-", ProxyLog.escape(null));
    }
}
