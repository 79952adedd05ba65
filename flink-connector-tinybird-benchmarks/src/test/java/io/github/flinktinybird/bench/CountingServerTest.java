package io.github.flinktinybird.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Random;

/** The stand-in server's counts decide whether a benchmark run is complete: they must be exact. */
class CountingServerTest {

    private static long byteByByte(byte[] buffer, int n) {
        long count = 0;
        for (int i = 0; i < n; i++) {
            if (buffer[i] == '\n') {
                count++;
            }
        }
        return count;
    }

    @Test
    void newlinesAreCountedExactlyWhateverTheBytesAroundThem() {
        Random random = new Random(5);
        byte[] buffer = new byte[4096];
        for (int round = 0; round < 20_000; round++) {
            int n = random.nextInt(buffer.length + 1);
            int kind = round % 4;
            for (int i = 0; i < n; i++) {
                // Every byte value, runs of newlines, and bytes one bit away from '\n' (0x0B, 0x08, 0x8A, ...).
                buffer[i] = kind == 0 ? (byte) random.nextInt(256)
                        : kind == 1 ? (byte) (random.nextInt(4) == 0 ? '\n' : 0x0A ^ (1 << random.nextInt(8)))
                        : kind == 2 ? (byte) '\n'
                        : (byte) (random.nextInt(40) == 0 ? '\n' : 0x20 + random.nextInt(0x5F));
            }
            assertThat(CountingServer.newlines(buffer, n)).as("round %d, %d bytes", round, n).isEqualTo(byteByByte(buffer, n));
        }
    }

    @Test
    void linesAndBytesOfABodyAreCountedAcrossReads() throws IOException {
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < 5_000; i++) {
            body.append("{\"id\":").append(i).append(",\"x\":\"").append("y".repeat(i % 97)).append("\"}\n");
        }
        body.append("{\"id\":5000}"); // a last line without its newline counts too
        byte[] bytes = body.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        long[] counts = new long[2];
        CountingServer.countLines(new ByteArrayInputStream(bytes), new byte[1000], null, counts);
        assertThat(counts).containsExactly(5_001, bytes.length);
    }
}
