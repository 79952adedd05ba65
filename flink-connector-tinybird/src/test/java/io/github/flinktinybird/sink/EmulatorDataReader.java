package io.github.flinktinybird.sink;

import org.apache.flink.connector.testframe.external.ExternalSystemDataReader;

import io.github.flinktinybird.emulator.EventsApiEmulator;
import io.github.flinktinybird.emulator.QuarantinedRow;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Reads one Data Source of the emulator back, as the lines the sink sent. A new reader starts
 * from the first row; each poll returns only the rows stored since the previous poll.
 */
final class EmulatorDataReader implements ExternalSystemDataReader<String> {

    private static final long PAUSE_MS = 20;

    private final EventsApiEmulator emulator;
    private final String dataSource;
    private int consumed;

    EmulatorDataReader(EventsApiEmulator emulator, String dataSource) {
        this.emulator = emulator;
        this.dataSource = dataSource;
    }

    @Override
    public List<String> poll(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            failOnQuarantine();
            List<String> all = emulator.rawRows(dataSource);
            if (all.size() > consumed) {
                List<String> fresh = new ArrayList<>(all.subList(consumed, all.size()));
                consumed = all.size();
                return fresh;
            }
            if (System.nanoTime() >= deadline) {
                return Collections.emptyList();
            }
            try {
                Thread.sleep(PAUSE_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Collections.emptyList();
            }
        }
    }

    /** A quarantined line can never show up as a row: say so at once instead of timing out. */
    private void failOnQuarantine() {
        List<QuarantinedRow> quarantined = emulator.quarantined(dataSource);
        if (!quarantined.isEmpty()) {
            throw new IllegalStateException(
                    quarantined.size() + " line(s) sent to " + dataSource + " were quarantined, first: "
                            + quarantined.get(0).rawLine() + " (" + quarantined.get(0).error() + ")");
        }
    }

    @Override
    public void close() {}
}
