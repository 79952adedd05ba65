package io.github.flinktinybird.sink;

import static io.github.flinktinybird.sink.WriterTestContext.NO_CONTEXT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.flinktinybird.error.DeadLetter;
import io.github.flinktinybird.error.DeadLetterHandler;
import io.github.flinktinybird.error.ErrorPolicy;

import org.apache.flink.configuration.Configuration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Where dead letters go when {@code configure()} meets a policy set in code. The rule is the
 * builder's: a key present in the configuration wins over a setter called before {@code
 * configure()}, a setter called after it wins over the key. {@code sink.error-policy.dead-letter-path}
 * on its own applies to the policy the builder already has, which must then be DEAD_LETTER.
 */
class TinybirdSinkBuilderDeadLetterConfigTest {
    private static final String TOKEN = "p.eyJ1IjogImRlYWQtbGV0dGVycyJ9.Qk9x";

    @TempDir Path setterDir;
    @TempDir Path keyDir;

    /** Records letters in memory; shared by reference, since the test builds the writer itself. */
    static final class Recording implements DeadLetterHandler {
        final List<DeadLetter> letters = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void write(DeadLetter letter) {
            letters.add(letter);
        }
    }

    private static TinybirdSinkBuilder<Map<String, Object>> builder() {
        // Nothing is sent: the only element is one the sink cannot serialize.
        return TinybirdSink.<Map<String, Object>>builder().setToken(TOKEN).setDataSource("events").setEndpoint("http://127.0.0.1:9");
    }

    private static Configuration config(ErrorPolicy.Action action, Path deadLetterPath) {
        Configuration config = new Configuration();
        if (action != null) {
            config.set(TinybirdSinkOptions.ERROR_POLICY, action);
        }
        if (deadLetterPath != null) {
            config.set(TinybirdSinkOptions.DEAD_LETTER_PATH, deadLetterPath.toUri().toString());
        }
        return config;
    }

    /** Builds the sink and dead-letters one element through a real writer. */
    private static void deadLetterOne(TinybirdSinkBuilder<Map<String, Object>> builder) throws Exception {
        TinybirdSinkWriter<Map<String, Object>> writer = builder.build().createWriter(new WriterTestContext());
        try {
            writer.write(null, NO_CONTEXT);
        } finally {
            writer.close();
        }
    }

    private static long letters(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().startsWith("tinybird-dead-letters-")).count();
        }
    }

    @Test
    void thePathKeyAppliesToADeadLetterPolicySetBeforeConfigure() throws Exception {
        deadLetterOne(builder().setErrorPolicy(ErrorPolicy.deadLetterTo(setterDir.toUri().toString())).configure(config(null, keyDir)));

        assertThat(letters(keyDir)).as("letters under the configured path").isEqualTo(1);
        assertThat(letters(setterDir)).as("letters under the path set in code").isZero();
    }

    @Test
    void thePathKeyReplacesACustomHandlerSetBeforeConfigure() throws Exception {
        Recording custom = new Recording();

        deadLetterOne(builder().setErrorPolicy(ErrorPolicy.deadLetter(custom)).configure(config(null, keyDir)));

        assertThat(letters(keyDir)).isEqualTo(1);
        assertThat(custom.letters).isEmpty();
    }

    @Test
    void thePolicyKeyAloneKeepsTheHandlerSetBeforeConfigure() throws Exception {
        Recording custom = new Recording();

        deadLetterOne(builder().setErrorPolicy(ErrorPolicy.deadLetter(custom)).configure(config(ErrorPolicy.Action.DEAD_LETTER, null)));

        assertThat(custom.letters).singleElement().satisfies(letter -> assertThat(letter.getReason()).contains("null"));
    }

    @Test
    void aSetterCalledAfterConfigureWins() throws Exception {
        deadLetterOne(
                builder().configure(config(ErrorPolicy.Action.DEAD_LETTER, keyDir))
                        .setErrorPolicy(ErrorPolicy.deadLetterTo(setterDir.toUri().toString())));

        assertThat(letters(setterDir)).isEqualTo(1);
        assertThat(letters(keyDir)).isZero();
    }

    @Test
    void thePathKeyKeepsFailOnPartialIngestFromTheSetter() {
        String described =
                builder().setErrorPolicy(ErrorPolicy.deadLetterTo(setterDir.toUri().toString()).withFailOnPartialIngest(true))
                        .configure(config(null, keyDir))
                        .build()
                        .toString();

        assertThat(described).contains(keyDir.toUri().toString()).contains("failOnPartialIngest=true");
    }

    @Test
    void thePathKeyWithAPolicyThatIsNotDeadLetterIsRefused() {
        assertThatThrownBy(() -> builder().setErrorPolicy(ErrorPolicy.discard()).configure(config(null, keyDir)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("error policy is DISCARD")
                .hasMessageContaining("sink.error-policy=DEAD_LETTER");
        // The policy key is the one that counts when both are present.
        assertThatThrownBy(
                        () -> builder().setErrorPolicy(ErrorPolicy.deadLetterTo(setterDir.toUri().toString()))
                                .configure(config(ErrorPolicy.Action.FAIL, keyDir)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("error policy is FAIL");
    }
}
