package io.github.flinktinybird.examples;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One web-analytics event, shaped like what sites send to Tinybird: a page view, a click, or the
 * start or end of a session. Serialized by the sink with Jackson, one JSON object per event, with
 * the column names of {@code examples/tinybird/datasources/web_events.datasource}.
 *
 * @param eventId unique per event and stable across replays, so Tinybird can deduplicate resends
 * @param runId the run that produced the event, so one run's rows can be counted on their own
 */
public record WebEvent(
        @JsonProperty("event_id") String eventId,
        @JsonProperty("run_id") String runId,
        @JsonProperty("timestamp") String timestamp,
        @JsonProperty("event_type") String eventType,
        @JsonProperty("session_id") String sessionId,
        @JsonProperty("user_id") String userId,
        @JsonProperty("url") String url,
        @JsonProperty("referrer") String referrer,
        @JsonProperty("user_agent") String userAgent,
        @JsonProperty("country") String country,
        @JsonProperty("duration_ms") long durationMs) {}
