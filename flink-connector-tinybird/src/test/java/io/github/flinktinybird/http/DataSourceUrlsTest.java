package io.github.flinktinybird.http;

import okhttp3.HttpUrl;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class DataSourceUrlsTest {

    private static final HttpUrl EVENTS = HttpUrl.get("https://api.tinybird.co/v0/events");

    @Test
    void aSelectorWithManyNamesKeepsTheCacheBounded() {
        DataSourceUrls urls = new DataSourceUrls(EVENTS, true);

        for (int i = 0; i < 50_000; i++) {
            urls.get("tenant_" + i);
        }

        assertThat(urls.size()).isEqualTo(DataSourceUrls.MAX_CACHED);
    }

    @Test
    void eachUrlNamesItsDataSourceAndTheWaitSetting() {
        DataSourceUrls urls = new DataSourceUrls(EVENTS, false, 4);

        for (int i = 0; i < 100; i++) {
            HttpUrl url = urls.get("tenant_" + i);
            assertThat(url.encodedPath()).isEqualTo("/v0/events");
            assertThat(url.queryParameter("name")).isEqualTo("tenant_" + i);
            assertThat(url.queryParameter("wait")).isEqualTo("false");
            assertThat(url.querySize()).isEqualTo(2);
        }
    }

    @Test
    void aNameSeenAgainAfterEvictionGetsItsUrlBuiltAnew() {
        DataSourceUrls urls = new DataSourceUrls(EVENTS, true, 4);
        HttpUrl first = urls.get("page_views");
        for (int i = 0; i < 10; i++) {
            urls.get("tenant_" + i);
        }

        HttpUrl again = urls.get("page_views");

        assertThat(again).isNotSameAs(first).isEqualTo(first);
        assertThat(urls.size()).isEqualTo(4);
    }

    @Test
    void theNamesInUseStayCachedWhileOthersComeAndGo() {
        DataSourceUrls urls = new DataSourceUrls(EVENTS, true, 4);
        HttpUrl hot = urls.get("page_views");
        for (int i = 0; i < 1_000; i++) {
            urls.get("tenant_" + i);
            assertThat(urls.get("page_views")).isSameAs(hot);
        }
    }
}
