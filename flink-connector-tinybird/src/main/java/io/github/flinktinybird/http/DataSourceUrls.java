package io.github.flinktinybird.http;

import org.apache.flink.annotation.Internal;

import okhttp3.HttpUrl;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The request URL of each Data Source ({@code /v0/events?name=...&wait=...}), kept for the names
 * in use so that a request does not build its URL again. Bounded: a selector routing to many Data
 * Sources (one per tenant, say) keeps only the most recently used, and a name seen again after
 * eviction simply has its URL built anew.
 */
@Internal
final class DataSourceUrls {
    /** Far more Data Sources than one job writes to in practice, and a few hundred KiB at most. */
    static final int MAX_CACHED = 1024;

    private final HttpUrl eventsUrl;
    private final boolean wait;
    private final int maxCached;
    private final Map<String, HttpUrl> recent;

    DataSourceUrls(HttpUrl eventsUrl, boolean wait) {
        this(eventsUrl, wait, MAX_CACHED);
    }

    DataSourceUrls(HttpUrl eventsUrl, boolean wait, int maxCached) {
        this.eventsUrl = eventsUrl;
        this.wait = wait;
        this.maxCached = maxCached;
        // Access order: the least recently used name goes first. One lookup per request (not per
        // record), so a lock costs nothing that shows.
        this.recent =
                new LinkedHashMap<>(16, 0.75f, true) {
                    private static final long serialVersionUID = 1L;

                    @Override
                    protected boolean removeEldestEntry(Map.Entry<String, HttpUrl> eldest) {
                        return size() > DataSourceUrls.this.maxCached;
                    }
                };
    }

    synchronized HttpUrl get(String dataSource) {
        return recent.computeIfAbsent(
                dataSource,
                name ->
                        eventsUrl
                                .newBuilder()
                                .addQueryParameter("name", name)
                                .addQueryParameter("wait", Boolean.toString(wait))
                                .build());
    }

    synchronized int size() {
        return recent.size();
    }
}
