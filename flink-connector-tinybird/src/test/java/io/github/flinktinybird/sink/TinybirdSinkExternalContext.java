package io.github.flinktinybird.sink;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.connector.testframe.external.ExternalSystemDataReader;
import org.apache.flink.connector.testframe.external.sink.DataStreamSinkV2ExternalContext;
import org.apache.flink.connector.testframe.external.sink.TestingSinkSettings;

import io.github.flinktinybird.emulator.EventsApiEmulator;
import io.github.flinktinybird.serialize.JsonStringSerializationSchema;

import java.net.URL;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One test case's view of the emulator: a {@link TinybirdSink} of JSON strings writing to a Data
 * Source of its own, and a reader of that Data Source. Records are compact JSON objects, which
 * the sink sends unchanged, so they compare equal to the lines the emulator stores.
 */
final class TinybirdSinkExternalContext implements DataStreamSinkV2ExternalContext<String> {

    private static final AtomicInteger CONTEXTS = new AtomicInteger();
    private static final String LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 éü€";

    private final EventsApiEmulator emulator;
    private final String dataSource;
    private final List<EmulatorDataReader> readers = new ArrayList<>();

    TinybirdSinkExternalContext(EventsApiEmulator emulator) {
        this.emulator = emulator;
        this.dataSource =
                "sink_suite_" + CONTEXTS.incrementAndGet() + "_"
                        + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000000, Integer.MAX_VALUE));
    }

    String dataSource() {
        return dataSource;
    }

    /**
     * Small batches and a short buffer timer. The timer matters for the savepoint tests: they stop
     * the first job with a savepoint (without draining) and then expect every record of the first
     * half in the Data Source, but Flink's async sink keeps records still buffered at a checkpoint
     * in its state and sends them only after the restore. The suite leaves over a second between
     * the last record and the savepoint (measured: a 1 s timer passed, a 3 s timer hung), so the
     * timer must flush the buffer well before that.
     */
    @Override
    public Sink<String> createSink(TestingSinkSettings sinkSettings) {
        return TinybirdSink.<String>builder()
                .setEndpoint(emulator.endpoint())
                .setToken(EventsApiEmulator.DEFAULT_TOKEN)
                .setDataSource(dataSource)
                .setSerializationSchema(new JsonStringSerializationSchema())
                .setMaxBatchSize(50)
                .setMaxBufferedRequests(500)
                .setMaxTimeInBufferMS(100)
                .build();
    }

    @Override
    public synchronized ExternalSystemDataReader<String> createSinkDataReader(TestingSinkSettings sinkSettings) {
        EmulatorDataReader reader = new EmulatorDataReader(emulator, dataSource);
        readers.add(reader);
        return reader;
    }

    /**
     * Between 200 and 499 distinct compact JSON objects: a unique {@code id} (Data Source name and
     * position), the position {@code n}, and a random text with a few non-ASCII characters.
     */
    @Override
    public List<String> generateTestData(TestingSinkSettings sinkSettings, long seed) {
        Random random = new Random(seed);
        int count = 200 + random.nextInt(300);
        List<String> records = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            StringBuilder text = new StringBuilder();
            int length = 1 + random.nextInt(40);
            for (int c = 0; c < length; c++) {
                text.append(LETTERS.charAt(random.nextInt(LETTERS.length())));
            }
            records.add("{\"id\":\"" + dataSource + "-" + i + "\",\"n\":" + i + ",\"text\":\"" + text + "\"}");
        }
        return records;
    }

    @Override
    public TypeInformation<String> getProducedType() {
        return Types.STRING;
    }

    @Override
    public List<URL> getConnectorJarPaths() {
        // The MiniCluster runs in this JVM, with the connector on its class path.
        return Collections.emptyList();
    }

    @Override
    public synchronized void close() {
        for (EmulatorDataReader reader : readers) {
            reader.close();
        }
        readers.clear();
    }

    @Override
    public String toString() {
        return "Tinybird sink -> " + dataSource;
    }
}
