package io.github.flinktinybird.serialize;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * The direct writer's bytes must be Jackson's, value for value: every character of the Basic
 * Multilingual Plane, numbers across their whole range, and the probe that turns direct writing off
 * for a generator configured to write otherwise.
 */
class JsonLineBuilderTest {
    private static final ObjectMapper MAPPER = new JacksonSerializationSchema<>().createMapper();

    private interface GeneratorWrite {
        void write(JsonGenerator generator) throws IOException;
    }

    private static String jackson(GeneratorWrite write) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator generator = MAPPER.createGenerator(out, JsonEncoding.UTF8)) {
            write.write(generator);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static String own(JsonLineBuilder line) {
        return new String(line.toLine(), StandardCharsets.UTF_8);
    }

    @Test
    void everyCharacterOfTheBasicPlaneIsWrittenAsJacksonWritesIt() throws IOException {
        JsonLineBuilder line = new JsonLineBuilder();
        for (int c = 0; c <= 0xFFFF; c++) {
            // Lone surrogates included: Jackson escapes them, as it escapes each half of a pair.
            String text = "a" + (char) c + "b";
            line.reset();
            line.writeString(text);
            assertThat(own(line)).as("U+%04X", c).isEqualTo(jackson(g -> g.writeString(text)));
        }
    }

    @Test
    void surrogatePairsAndLoneHalvesAnywhereAreWrittenAsJacksonWritesThem() throws IOException {
        JsonLineBuilder line = new JsonLineBuilder();
        String[] texts = {"\ud83c\udf89", "party \ud83c\udf89!", "\ud800", "x\udfff", "\udbff\udbff", "\udc00\ud800", "end \ud83d"};
        for (String text : texts) {
            line.reset();
            line.writeString(text);
            assertThat(own(line)).as(text).isEqualTo(jackson(g -> g.writeString(text)));
        }
    }

    @Test
    void randomTextLongAndShortIsWrittenAsJacksonWritesIt() throws IOException {
        Random random = new Random(13);
        JsonLineBuilder line = new JsonLineBuilder();
        for (int i = 0; i < 2_000; i++) {
            int length = i % 100 == 0 ? 20_000 + random.nextInt(60_000) : random.nextInt(300);
            StringBuilder text = new StringBuilder();
            for (int k = 0; k < length; k++) {
                int kind = random.nextInt(10);
                char c = kind < 6 ? (char) (0x20 + random.nextInt(0x60)) : kind < 8 ? (char) random.nextInt(0x80) : (char) (0x80 + random.nextInt(0xFF80));
                text.append(c);
            }
            String value = text.toString();
            line.reset();
            line.writeString(value);
            assertThat(own(line)).isEqualTo(jackson(g -> g.writeString(value)));
        }
    }

    @Test
    void numbersAcrossTheirRangeAreWrittenAsJacksonWritesThem() throws IOException {
        Random random = new Random(42);
        JsonLineBuilder line = new JsonLineBuilder();
        long[] longs = {0, 1, -1, 9, 10, 99, 100, 101, 999_999_999_999_999_999L, 1_000_000_000_000_000_000L, Long.MAX_VALUE, Long.MIN_VALUE, Long.MIN_VALUE + 1, Integer.MAX_VALUE, Integer.MIN_VALUE};
        for (long value : longs) {
            line.reset();
            line.writeLong(value);
            assertThat(own(line)).isEqualTo(jackson(g -> g.writeNumber(value)));
        }
        for (int i = 0; i < 20_000; i++) {
            long value = random.nextLong() >> random.nextInt(64);
            line.reset();
            line.writeLong(value);
            assertThat(own(line)).isEqualTo(jackson(g -> g.writeNumber(value)));

            double d = Double.longBitsToDouble(random.nextLong());
            double decimal = random.nextInt(1_000_000) / 100.0;
            for (double value2 : new double[] {d, decimal, -decimal}) {
                line.reset();
                line.writeDouble(value2);
                assertThat(own(line)).isEqualTo(jackson(g -> g.writeNumber(value2)));
            }
            float f = Float.intBitsToFloat(random.nextInt());
            line.reset();
            line.writeFloat(f);
            assertThat(own(line)).isEqualTo(jackson(g -> g.writeNumber(f)));
        }
        for (double notFinite : new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
            line.reset();
            line.writeDouble(notFinite);
            assertThat(own(line)).as("Jackson quotes %s", notFinite).isEqualTo(jackson(g -> g.writeNumber(notFinite)));
            line.reset();
            line.writeFloat((float) notFinite);
            assertThat(own(line)).isEqualTo(jackson(g -> g.writeNumber((float) notFinite)));
        }
    }

    @Test
    void everyWholeNumberOfThousandthsBelowTheLimitIsWrittenAsDoubleToStringWritesIt() throws InterruptedException {
        // Every value the short-decimal path writes, and its negative: 10^8 of each, so the claim
        // holds on this JVM's Double.toString without being argued from its implementation.
        long limit = Math.round(JsonLineBuilder.SHORT_DECIMAL_LIMIT * 1000);
        int threads = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
        long[] mismatch = new long[threads];
        Thread[] workers = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            int worker = t;
            mismatch[t] = -1;
            workers[t] = new Thread(() -> {
                JsonLineBuilder line = new JsonLineBuilder();
                for (long thousandths = worker; thousandths < limit && mismatch[worker] < 0; thousandths += threads) {
                    double value = thousandths / 1000.0;
                    double[] both = {value, -value};
                    for (double v : both) {
                        line.reset();
                        // Every one of them must take the short path, and give Double.toString's text.
                        if (!line.writeShortDecimal(v) || !own(line).equals(Double.toString(v))) {
                            mismatch[worker] = Double.doubleToRawLongBits(v);
                        }
                    }
                }
            });
            workers[t].start();
        }
        for (Thread worker : workers) {
            worker.join();
        }
        for (long bits : mismatch) {
            if (bits != -1) {
                double v = Double.longBitsToDouble(bits);
                JsonLineBuilder line = new JsonLineBuilder();
                assertThat(line.writeShortDecimal(v)).as("%s takes the short path", v).isTrue();
                assertThat(own(line)).as("%s", v).isEqualTo(Double.toString(v));
            }
        }
        assertThat(mismatch).containsOnly(-1L);
    }

    @Test
    void shortDecimalsGrowTheLineAsTheyGo() {
        // One line of 20,000 of them, far past the first buffer: every byte in place.
        Random random = new Random(3);
        JsonLineBuilder line = new JsonLineBuilder();
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 20_000; i++) {
            double value = (random.nextBoolean() ? -1 : 1) * random.nextInt(100_000_000) / 1000.0;
            line.writeDouble(value);
            line.writeByte(',');
            expected.append(Double.toString(value)).append(',');
        }
        assertThat(own(line)).isEqualTo(expected.toString());
    }

    @Test
    void doublesNextToShortDecimalsAndBeyondTheLimitAreWrittenAsJacksonWritesThem() throws IOException {
        Random random = new Random(7);
        JsonLineBuilder line = new JsonLineBuilder();
        double[] edges = {0.001, 0.0009999999999999998, 0.0005, 0.0015, 99_999.999, 100_000.0, 100_000.001, 1e7, 9_999_999.999, 4.35, 0.1 + 0.2, 1.0 / 3};
        for (int i = 0; i < 200_000; i++) {
            double decimal = i < edges.length ? edges[i] : random.nextInt(200_000_000) / 1000.0;
            for (double value : new double[] {decimal, Math.nextUp(decimal), Math.nextDown(decimal), -decimal, decimal * 1.0000001}) {
                line.reset();
                line.writeDouble(value);
                assertThat(own(line)).as("%s", value).isEqualTo(jackson(g -> g.writeNumber(value)));
            }
        }
    }

    @Test
    void theSchemasOwnMapperPassesTheProbe() {
        assertThat(JsonLineBuilder.writesLikeGeneratorOf(MAPPER)).isTrue();
        assertThat(JsonLineBuilder.writesLikeGeneratorOf(new ObjectMapper())).isTrue();
    }

    @Test
    void aGeneratorThatWritesOtherwiseFailsTheProbe() {
        Map<String, ObjectMapper> otherwise = new LinkedHashMap<>();
        otherwise.put("non-ASCII escaped", JsonMapper.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build());
        otherwise.put("numbers as strings", JsonMapper.builder().enable(JsonWriteFeature.WRITE_NUMBERS_AS_STRINGS).build());
        otherwise.put("lower-case hex escapes", JsonMapper.builder().disable(JsonWriteFeature.WRITE_HEX_UPPER_CASE).build());
        otherwise.put("escaped slashes", JsonMapper.builder().enable(JsonWriteFeature.ESCAPE_FORWARD_SLASHES).build());
        otherwise.put("unquoted names", JsonMapper.builder().disable(JsonWriteFeature.QUOTE_FIELD_NAMES).build());
        otherwise.put("pretty-printed", new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT));
        otherwise.forEach((how, mapper) -> assertThat(JsonLineBuilder.writesLikeGeneratorOf(mapper)).as(how).isFalse());
    }

    @Test
    void aLineIsExactlySizedAndTheNextStartsEmpty() {
        JsonLineBuilder line = new JsonLineBuilder();
        line.writeByte('{');
        line.writeString("x".repeat(100_000));
        line.writeByte('}');
        assertThat(line.toLine()).hasSize(100_004);
        line.reset();
        line.writeNull();
        assertThat(own(line)).isEqualTo("null");
    }
}
