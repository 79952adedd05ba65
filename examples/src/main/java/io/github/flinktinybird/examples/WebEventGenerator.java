package io.github.flinktinybird.examples;

import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.metrics.Counter;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * Turns the n-th number of a data generator into the n-th web-analytics event. Everything about
 * an event (its id, session, page, country) is derived from n and the run id, so the same n always
 * yields the same event id: a replay after a restart resends the same ids, which Tinybird can
 * deduplicate. Events come in sessions: a {@code session_start}, page views and clicks, then a
 * {@code session_end} carrying the session's duration.
 */
public final class WebEventGenerator implements GeneratorFunction<Long, WebEvent> {
    private static final long serialVersionUID = 1L;

    /** Events per session, start and end included. */
    static final int SESSION_LENGTH = 8;

    private static final DateTimeFormatter TIMESTAMP =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS").withZone(ZoneOffset.UTC);

    private static final List<String> PAGES = List.of(
            "/", "/pricing", "/docs", "/docs/quick-start", "/docs/events-api", "/blog",
            "/blog/real-time-analytics", "/customers", "/signup", "/login", "/changelog", "/about");
    private static final List<String> REFERRERS = List.of(
            "", "", "https://www.google.com/", "https://news.ycombinator.com/", "https://www.linkedin.com/",
            "https://twitter.com/", "https://github.com/", "https://duckduckgo.com/");
    private static final List<String> USER_AGENTS = List.of(
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36",
            "Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0",
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
            "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36");
    private static final List<String> COUNTRIES = List.of(
            "US", "US", "US", "GB", "DE", "ES", "FR", "IN", "BR", "JP", "CA", "NL");

    private final String runId;
    private final long seed;
    private transient Counter generated;

    public WebEventGenerator(String runId) {
        this.runId = runId;
        this.seed = runId.hashCode();
    }

    @Override
    public void open(SourceReaderContext readerContext) {
        // Read by the progress line of a local run, and visible in Flink's web UI on a cluster.
        generated = readerContext.metricGroup().counter("eventsGenerated");
    }

    @Override
    public WebEvent map(Long n) {
        WebEvent event = eventAt(n, Instant.now());
        if (generated != null) {
            generated.inc();
        }
        return event;
    }

    /** The n-th event of this run, stamped {@code now}. */
    WebEvent eventAt(long n, Instant now) {
        long session = n / SESSION_LENGTH;
        int step = (int) (n % SESSION_LENGTH);
        // One random stream per session keeps its user, country and agent consistent.
        SplittableRandom sessionRandom = new SplittableRandom(seed * 31 + session);
        String sessionId = uuid(seed * 31 + session);
        String userId = "u" + Math.floorMod(sessionRandom.nextLong(), 50_000L);
        String country = pick(COUNTRIES, sessionRandom);
        String userAgent = pick(USER_AGENTS, sessionRandom);
        String referrer = pick(REFERRERS, sessionRandom);
        String landing = pick(PAGES, sessionRandom);

        SplittableRandom eventRandom = new SplittableRandom(seed * 17 + n);
        String type;
        String url;
        long duration = 0;
        if (step == 0) {
            type = "session_start";
            url = landing;
        } else if (step == SESSION_LENGTH - 1) {
            type = "session_end";
            url = pick(PAGES, eventRandom);
            duration = 5_000 + eventRandom.nextLong(600_000);
        } else {
            type = eventRandom.nextInt(3) == 0 ? "click" : "page_view";
            url = pick(PAGES, eventRandom);
        }
        return new WebEvent(
                uuid(seed * 17 + n),
                runId,
                TIMESTAMP.format(now),
                type,
                sessionId,
                userId,
                "https://example.com" + url,
                step == 0 ? referrer : "",
                userAgent,
                country,
                duration);
    }

    /** A version-4-shaped UUID drawn from {@code key}: the same key always gives the same id. */
    private static String uuid(long key) {
        SplittableRandom random = new SplittableRandom(key ^ 0x5DEECE66DL);
        long high = (random.nextLong() & ~0xF000L) | 0x4000L;
        long low = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(high, low).toString();
    }

    private static String pick(List<String> values, SplittableRandom random) {
        return values.get(random.nextInt(values.size()));
    }
}
