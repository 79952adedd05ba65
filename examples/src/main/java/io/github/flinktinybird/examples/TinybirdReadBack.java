package io.github.flinktinybird.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Counts this run's rows in a real Tinybird with the Query API ({@code GET /v0/sql}). The query
 * needs a token with read access to the Data Source (scope {@code DATASOURCE:READ} or a Workspace
 * admin token); an append-only token gets a 403, and the job then says what to check by hand.
 */
final class TinybirdReadBack {

    private TinybirdReadBack() {}

    static String query(String dataSource, String runId) {
        return "SELECT count() AS rows, uniqExact(event_id) AS events FROM " + dataSource
                + " WHERE run_id = '" + runId + "' FORMAT JSON";
    }

    static void print(TinybirdTarget target, String runId, long expectedEvents, PrintStream out) {
        String sql = query(target.dataSource, runId);
        if (target.readToken == null) {
            out.printf("Not reading back: only the TaskManagers have the token (token.env-var). Check in Tinybird yourself:%n  %s%n",
                    sql.replace(" FORMAT JSON", ""));
            return;
        }
        try {
            HttpRequest request = HttpRequest.newBuilder(
                            URI.create(target.endpoint + "/v0/sql?q=" + URLEncoder.encode(sql, StandardCharsets.UTF_8)))
                    .header("Authorization", "Bearer " + target.readToken)
                    .timeout(Duration.ofSeconds(30))
                    .GET()
                    .build();
            HttpResponse<String> response = HttpClient.newBuilder()
                    .connectTimeout(Duration.ofSeconds(10))
                    .build()
                    .send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                out.printf("Could not read back (HTTP %d%s). Check in Tinybird yourself:%n  %s%n",
                        response.statusCode(),
                        response.statusCode() == 403 ? ": the token may only append; reading needs DATASOURCE:READ" : "",
                        sql.replace(" FORMAT JSON", ""));
                return;
            }
            JsonNode row = new ObjectMapper().readTree(response.body()).path("data").path(0);
            long rows = Long.parseLong(row.path("rows").asText("0"));
            long events = Long.parseLong(row.path("events").asText("0"));
            out.printf("Read back from '%s' (run %s): %,d rows, %,d distinct event ids (%,d expected).%n",
                    target.dataSource, runId, rows, events, expectedEvents);
            out.println(events == expectedEvents
                    ? "Every event arrived."
                    : "Some events are not there: look in '" + target.dataSource + "_quarantine'.");
        } catch (IOException | RuntimeException e) {
            out.printf("Could not read back (%s). Check in Tinybird yourself:%n  %s%n", e, sql.replace(" FORMAT JSON", ""));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
