package io.github.flinktinybird.serialize;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JacksonSerializationSchemaReuseTest {

    public static final class Event {
        public long id;
        public String name;
        public double amount;
        public Instant at;

        Event(long id, String name, double amount) {
            this.id = id;
            this.name = name;
            this.amount = amount;
            this.at = Instant.parse("2026-11-26T16:00:00Z");
        }
    }

    /** Jackson fails on this one in the middle of the object. */
    public static final class Broken {
        public long id = 7;

        public String getValue() {
            throw new IllegalStateException("no value");
        }
    }

    @Test
    void everyElementIsItsOwnCompactObject() {
        JacksonSerializationSchema<Event> schema = new JacksonSerializationSchema<>();
        schema.open(null);

        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            lines.add(new String(schema.serialize(new Event(i, "e\n" + i, i / 2.0)), StandardCharsets.UTF_8));
        }

        assertThat(lines).containsExactly(
                "{\"id\":0,\"name\":\"e\\n0\",\"amount\":0.0,\"at\":\"2026-11-26T16:00:00Z\"}",
                "{\"id\":1,\"name\":\"e\\n1\",\"amount\":0.5,\"at\":\"2026-11-26T16:00:00Z\"}",
                "{\"id\":2,\"name\":\"e\\n2\",\"amount\":1.0,\"at\":\"2026-11-26T16:00:00Z\"}");
    }

    @Test
    void writesWhatTheMapperWrites() throws Exception {
        JacksonSerializationSchema<Map<String, Object>> schema = new JacksonSerializationSchema<>();
        schema.open(null);
        ObjectMapper mapper = schema.createMapper();
        Map<String, Object> big = new LinkedHashMap<>();
        big.put("text", "x".repeat(100_000));
        Map<String, Object> small = Map.of("n", 1);

        assertThat(schema.serialize(small)).isEqualTo(mapper.writeValueAsBytes(small));
        assertThat(schema.serialize(big)).isEqualTo(mapper.writeValueAsBytes(big));
        assertThat(schema.serialize(small)).isEqualTo(mapper.writeValueAsBytes(small));
    }

    @Test
    void anElementThatFailsHalfWayDoesNotSpoilTheNext() {
        JacksonSerializationSchema<Object> schema = new JacksonSerializationSchema<>();
        schema.open(null);

        assertThatThrownBy(() -> schema.serialize(new Broken()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("could not serialize")
                .hasMessageContaining(Broken.class.getName());

        assertThat(new String(schema.serialize(Map.of("id", 8)), StandardCharsets.UTF_8)).isEqualTo("{\"id\":8}");
    }
}
