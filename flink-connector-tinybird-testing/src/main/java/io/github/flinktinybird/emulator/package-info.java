/**
 * A local emulator of Tinybird's Events API, to test Flink jobs that write to Tinybird without a
 * Tinybird account or network.
 *
 * <p>Add the connector's {@code emulator} classifier jar as a test dependency, start an
 * {@link io.github.flinktinybird.emulator.EventsApiEmulator}, point the sink at its
 * {@code endpoint()} with the token {@code "emulator-token"}, run the job, then read back what
 * each Data Source received:
 *
 * <pre>{@code
 * try (EventsApiEmulator tinybird = EventsApiEmulator.builder().start()) {
 *     // build the job with endpoint tinybird.endpoint() and token EventsApiEmulator.DEFAULT_TOKEN
 *     tinybird.failNext(2, Fault.UNAVAILABLE_503); // the sink must retry through these
 *     // run the job, then:
 *     assertEquals(1000, tinybird.rowCount("events"));
 * }
 * }</pre>
 *
 * <p>Random faults come from a seeded {@link io.github.flinktinybird.emulator.FaultPlan}, so a
 * failing run can be replayed. Per-Data-Source quotas answer 429 with {@code Retry-After}, and a
 * TLS + HTTP/2 mode injects GOAWAY and refused streams. The emulator depends only on the JDK's
 * {@code com.sun.net.httpserver} and Jackson databind, plus Netty for its HTTP/2 mode.
 */
package io.github.flinktinybird.emulator;
