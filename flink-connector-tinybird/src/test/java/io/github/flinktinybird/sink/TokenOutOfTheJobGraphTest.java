package io.github.flinktinybird.sink;

import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.InstantiationUtil;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The job graph is what the client submits and the cluster keeps (blob store, HA storage): with
 * {@code token.env-var} or {@code token.file} it holds the name or the path, never the token. The
 * graph is serialized as Flink does it (Java serialization) and its bytes are searched.
 */
class TokenOutOfTheJobGraphTest {

    private static final String TOKEN = "p.JOBGRAPH" + Long.toHexString(System.nanoTime()) + "secret";

    private static byte[] jobGraphBytes(TinybirdSinkBuilder<Map<String, Object>> sink) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.fromData(Map.<String, Object>of("id", 1))
                .returns(org.apache.flink.api.common.typeinfo.Types.MAP(
                        org.apache.flink.api.common.typeinfo.Types.STRING,
                        org.apache.flink.api.common.typeinfo.Types.GENERIC(Object.class)))
                .sinkTo(sink.setDataSource("events").build());
        JobGraph graph = env.getStreamGraph().getJobGraph();
        return InstantiationUtil.serializeObject(graph);
    }

    private static boolean contains(byte[] haystack, String needle) {
        return new String(haystack, StandardCharsets.ISO_8859_1).contains(needle);
    }

    @Test
    void aTokenSetOnTheBuilderIsInTheJobGraph() throws Exception {
        // The control: it shows the search reaches the serialized sink.
        assertThat(contains(jobGraphBytes(TinybirdSink.<Map<String, Object>>builder().setToken(TOKEN)), TOKEN)).isTrue();
    }

    @Test
    void aTokenFromAnEnvironmentVariableIsNotInTheJobGraph() throws Exception {
        byte[] graph = jobGraphBytes(TinybirdSink.<Map<String, Object>>builder().setTokenEnvironmentVariable("TINYBIRD_TOKEN_FOR_JOBGRAPH_TEST"));

        assertThat(contains(graph, "TINYBIRD_TOKEN_FOR_JOBGRAPH_TEST")).as("the sink is in these bytes").isTrue();
        assertThat(contains(graph, TOKEN)).isFalse();
    }

    @Test
    void aTokenFromAFileIsNotInTheJobGraph(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        // The file exists on this machine too: building must still not read it.
        java.nio.file.Path file = java.nio.file.Files.writeString(dir.resolve("token"), TOKEN + "\n");

        byte[] graph = jobGraphBytes(TinybirdSink.<Map<String, Object>>builder().setTokenFile(file.toString()));

        assertThat(contains(graph, file.toString())).as("the sink is in these bytes").isTrue();
        assertThat(contains(graph, TOKEN)).isFalse();
    }
}
