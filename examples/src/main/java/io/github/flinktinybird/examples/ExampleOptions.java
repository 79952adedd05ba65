package io.github.flinktinybird.examples;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

import java.util.List;

/**
 * The example job's own settings, read from the job configuration like the sink's: {@code -D} on
 * {@code flink run}, Flink's config file, or {@code -Dkey=value} arguments of a local run.
 */
public final class ExampleOptions {

    /** The Data Source the example writes to unless {@code datasource} is set. */
    public static final String DEFAULT_DATA_SOURCE = "web_events";

    public static final ConfigOption<Long> EVENTS =
            ConfigOptions.key("example.events")
                    .longType()
                    .defaultValue(200_000L)
                    .withDescription("How many events the generator emits before the job ends.");

    public static final ConfigOption<Integer> EVENTS_PER_SECOND =
            ConfigOptions.key("example.events-per-second")
                    .intType()
                    .defaultValue(25_000)
                    .withDescription("Generator rate, all subtasks together; 0 for as fast as possible.");

    public static final ConfigOption<Double> EMULATOR_FAULT_RATE =
            ConfigOptions.key("example.emulator.fault-rate")
                    .doubleType()
                    .defaultValue(0.15)
                    .withDescription(
                            "Embedded run only: share of requests the local Events API answers with a"
                                    + " 503 or a 429, so that the sink's retries can be seen at work; 0 for none.");

    private ExampleOptions() {}

    /** Every option, in documentation order. */
    public static List<ConfigOption<?>> all() {
        return List.of(EVENTS, EVENTS_PER_SECOND, EMULATOR_FAULT_RATE);
    }
}
