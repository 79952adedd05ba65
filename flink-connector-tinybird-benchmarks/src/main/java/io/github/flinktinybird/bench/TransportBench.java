package io.github.flinktinybird.bench;

import io.github.flinktinybird.emulator.EventsApiEmulator;
import io.github.flinktinybird.emulator.Fault;
import io.github.flinktinybird.emulator.FaultPlan;
import io.github.flinktinybird.http.Compression;
import io.github.flinktinybird.http.EventsApiClient;
import io.github.flinktinybird.http.EventsApiResponse;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * HTTP/1.1 against HTTP/2, both over TLS, on the same emulator handler, with the client alone (no
 * Flink): requests of a fixed size kept {@code inFlight} at a time, rounds interleaved so that
 * drift of a shared machine hits both alike. Prints the median over rounds of requests/s, rows/s
 * and the median request latency. Not a test; run with
 * {@code java -cp <test classpath> io.github.flinktinybird.bench.TransportBench [rounds] [requests] [rows] [inFlight]
 * [latencyMs]}.
 */
public final class TransportBench {

    private TransportBench() {}

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int requests = args.length > 1 ? Integer.parseInt(args[1]) : 300;
        int rows = args.length > 2 ? Integer.parseInt(args[2]) : 500;
        int inFlight = args.length > 3 ? Integer.parseInt(args[3]) : 8;
        // A commit latency stand-in: every answer held back this long (the emulator's SLOW fault).
        int latencyMs = args.length > 4 ? Integer.parseInt(args[4]) : 0;
        FaultPlan plan = latencyMs == 0 ? FaultPlan.none()
                : FaultPlan.builder().probability(Fault.SLOW, 1.0).slowDelay(Duration.ofMillis(latencyMs)).build();
        ObjectMapper mapper = new ObjectMapper();
        List<byte[]> lines = new ArrayList<>(rows);
        for (int i = 0; i < rows; i++) {
            lines.add(mapper.writeValueAsBytes(BenchEvent.of(i)));
        }
        String[] modes = {"HTTP/1.1+TLS", "HTTP/2+TLS"};
        double[][] rps = new double[2][rounds];
        double[][] p50 = new double[2][rounds];
        try (EventsApiEmulator h1 = EventsApiEmulator.builder().https().faultPlan(plan).keepOnlyIds("id").start();
                EventsApiEmulator h2 = EventsApiEmulator.builder().http2().faultPlan(plan).keepOnlyIds("id").start()) {
            EventsApiEmulator[] emulators = {h1, h2};
            for (int warm = 0; warm < 2; warm++) {
                run(emulators[warm], lines, requests / 3, inFlight);
            }
            for (int round = 0; round < rounds; round++) {
                for (int m = 0; m < 2; m++) {
                    // Alternate which mode goes first, so neither always runs on a warmer machine.
                    int mode = (round % 2 == 0) ? m : 1 - m;
                    double[] result = run(emulators[mode], lines, requests, inFlight);
                    rps[mode][round] = result[0];
                    p50[mode][round] = result[1];
                }
            }
        }
        System.out.printf("%d rounds x %d requests of %d rows, %d in flight, gzip, %d ms held back%n", rounds, requests,
                rows, inFlight, latencyMs);
        for (int mode = 0; mode < 2; mode++) {
            double r = median(rps[mode]);
            System.out.printf("%-13s requests/s %8.1f  rows/s %10.0f  median latency %6.2f ms  (requests/s per round %s)%n",
                    modes[mode], r, r * rows, median(p50[mode]), Arrays.toString(round1(rps[mode])));
        }
    }

    /** Returns {requests per second, median latency in ms}. */
    private static double[] run(EventsApiEmulator emulator, List<byte[]> lines, int requests, int inFlight)
            throws Exception {
        try (EventsApiClient client = new EventsApiClient(emulator.endpoint(), EventsApiEmulator.DEFAULT_TOKEN, true,
                Compression.GZIP, Duration.ofSeconds(30), inFlight, "transport-bench", emulator.trustManager())) {
            Semaphore slots = new Semaphore(inFlight);
            double[] latencies = new double[requests];
            List<CompletableFuture<EventsApiResponse>> all = new ArrayList<>(requests);
            long start = System.nanoTime();
            for (int i = 0; i < requests; i++) {
                slots.acquire();
                long sent = System.nanoTime();
                int index = i;
                all.add(client.send("bench", lines).whenComplete((response, error) -> {
                    latencies[index] = (System.nanoTime() - sent) / 1e6;
                    slots.release();
                    if (error != null || response.status() != 200) {
                        System.err.println("request failed: " + (error != null ? error : response));
                    }
                }));
            }
            CompletableFuture.allOf(all.toArray(new CompletableFuture[0])).get(5, TimeUnit.MINUTES);
            double seconds = (System.nanoTime() - start) / 1e9;
            return new double[] {requests / seconds, median(latencies)};
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static double[] round1(double[] values) {
        double[] rounded = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            rounded[i] = Math.round(values[i] * 10) / 10.0;
        }
        return rounded;
    }
}
