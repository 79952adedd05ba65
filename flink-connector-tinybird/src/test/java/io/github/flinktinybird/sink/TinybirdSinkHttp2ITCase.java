package io.github.flinktinybird.sink;

import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;

import io.github.flinktinybird.emulator.EventsApiEmulator;
import io.github.flinktinybird.emulator.RecordedRequest;
import io.github.flinktinybird.http.RetryPolicy;
import io.github.flinktinybird.sink.TinybirdSinkITCase.Event;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 12's HTTP/2 bar for the whole sink: a MiniCluster job writing to the emulator over TLS +
 * HTTP/2 with a GOAWAY every 25 requests and every 13th stream refused loses nothing, duplicates
 * nothing, and spends no retry attempt on a request the server never processed.
 *
 * <p>The sink trusts the emulator's self-signed certificate the way a user with a private
 * certificate authority would: through the JVM's {@code javax.net.ssl.trustStore}, which OkHttp
 * reads when the writer builds its client. The properties are set for each test and restored.
 */
class TinybirdSinkHttp2ITCase {

    private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setConfiguration(METRICS.addToConfiguration(new Configuration()))
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    private static final String[] TRUST_PROPERTIES = {
        "javax.net.ssl.trustStore", "javax.net.ssl.trustStorePassword", "javax.net.ssl.trustStoreType"
    };

    private final Map<String, String> savedProperties = new LinkedHashMap<>();
    private EventsApiEmulator emulator;

    @BeforeEach
    void startEmulatorAndTrustIt(@TempDir Path dir) throws Exception {
        emulator = EventsApiEmulator.builder().http2().goAwayEvery(25).refuseEveryKthStream(13).keepOnlyIds("id").start();
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        X509Certificate[] certificates = emulator.trustManager().getAcceptedIssuers();
        assertThat(certificates).as("the emulator's certificate").isNotEmpty();
        for (int i = 0; i < certificates.length; i++) {
            trusted.setCertificateEntry("emulator-" + i, certificates[i]);
        }
        Path store = dir.resolve("emulator-trust.p12");
        try (OutputStream out = Files.newOutputStream(store)) {
            trusted.store(out, "changeit".toCharArray());
        }
        for (String name : TRUST_PROPERTIES) {
            savedProperties.put(name, System.getProperty(name));
        }
        System.setProperty("javax.net.ssl.trustStore", store.toString());
        System.setProperty("javax.net.ssl.trustStorePassword", "changeit");
        System.setProperty("javax.net.ssl.trustStoreType", "PKCS12");
        // The JVM's default trust manager, which OkHttp uses when given none, now trusts the
        // emulator. Loading it here, once, before the job also matters: when the two writers were
        // the first to load the changed trust store, at the same moment, the JDK handed one of
        // them the old default certificates (seen with javax.net.debug; the job then failed on
        // PKIX path building).
        TrustManagerFactory defaults = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        defaults.init((KeyStore) null);
        assertThat(((X509TrustManager) defaults.getTrustManagers()[0]).getAcceptedIssuers())
                .as("the JVM's default trusted certificates").containsExactlyInAnyOrder(certificates);
    }

    @AfterEach
    void restoreTrustAndStopEmulator() {
        savedProperties.forEach((name, value) -> {
            if (value == null) {
                System.clearProperty(name);
            } else {
                System.setProperty(name, value);
            }
        });
        if (emulator != null) {
            emulator.close();
        }
    }

    /** The sum over the job's subtasks of the sink counter {@code name}. */
    private static long counter(JobExecutionResult result, String name) {
        long sum = 0;
        int found = 0;
        for (Map.Entry<String, Metric> metric : METRICS.getMetricsByIdentifiers(result.getJobID()).entrySet()) {
            if (metric.getKey().endsWith("." + name) && metric.getValue() instanceof Counter) {
                sum += ((Counter) metric.getValue()).getCount();
                found++;
            }
        }
        assertThat(found).as("subtasks reporting %s", name).isEqualTo(2);
        return sum;
    }

    @Test
    void underGoAwaysAndRefusedStreamsAJobDeliversEveryEventOnceWithoutSpendingAnAttempt() throws Exception {
        long n = 30_000;
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        env.fromSequence(0, n - 1).map(Event::new).returns(Event.class)
                .sinkTo(TinybirdSink.<Event>builder()
                        .setEndpoint(emulator.endpoint())
                        .setToken(EventsApiEmulator.DEFAULT_TOKEN)
                        .setDataSource("events")
                        .setMaxBatchSize(100)
                        // One attempt per record: an attempt spent on a refused stream or a stream
                        // cut by a GOAWAY would leave the record undeliverable and fail the job.
                        .setRetryPolicy(RetryPolicy.builder().maxAttempts(1).build())
                        .build());

        JobExecutionResult result = env.execute("http2 goaway + refused streams");

        // The faults really happened, and on HTTP/2.
        long refused = emulator.requests().stream().filter(r -> r.status() == RecordedRequest.REFUSED).count();
        long requests = emulator.requests().size();
        System.out.printf("requests=%d, refused or above a GOAWAY=%d, GOAWAYs=%d, connections=%d%n",
                requests, refused, emulator.goAwaysSent(), emulator.http2Connections());
        // At least n / 100 requests reached the emulator's fault counter (streams cut by a GOAWAY
        // never do); one in 325 meets both faults and is refused.
        long batches = n / 100;
        assertThat(requests).as("requests the emulator received").isGreaterThanOrEqualTo(batches);
        assertThat(emulator.goAwaysSent()).as("GOAWAYs sent").isGreaterThanOrEqualTo(batches / 25 - 1);
        assertThat(refused).as("streams refused or above a GOAWAY's last-stream id").isGreaterThanOrEqualTo(batches / 13);
        assertThat(emulator.http2Connections()).as("connections (a GOAWAY closes one)").isGreaterThan(1);

        // Zero lost, zero duplicated.
        Map<String, Integer> counts = emulator.idCounts("events");
        for (long id = 0; id < n; id++) {
            assertThat(counts).as("event %d", id).containsKey(Long.toString(id));
        }
        assertThat(counts).as("nothing but the job's events").hasSize((int) n);
        assertThat(counts.values()).as("nothing duplicated").containsOnly(1);

        // Every request never processed was resent at once, and none counted as a failed attempt.
        long resentNow = counter(result, "requestsResendNow");
        System.out.printf("requestsResendNow=%d, recordsRetried=%d, requestsRetry=%d%n",
                resentNow, counter(result, "recordsRetried"), counter(result, "requestsRetry"));
        assertThat(resentNow).as("requests resent at once").isGreaterThanOrEqualTo(refused);
        assertThat(counter(result, "recordsRetried")).as("records retried after a failed attempt").isZero();
        assertThat(counter(result, "requestsRetry")).as("requests answered as an ordinary retry").isZero();
        assertThat(counter(result, "rowsCommitted")).as("rows committed").isEqualTo(n);
    }
}
