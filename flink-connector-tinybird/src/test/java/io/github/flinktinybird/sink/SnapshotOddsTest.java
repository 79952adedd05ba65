package io.github.flinktinybird.sink;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * When the writer makes a request's checkpointed bytes on its HTTP thread: the requests that left
 * flight before it, each caught by a snapshot ({@code C}) or not ({@code -}), oldest first.
 */
class SnapshotOddsTest {

    @ParameterizedTest(name = "after \"{0}\": likely={1}")
    @CsvSource({
        // Nothing seen yet (no checkpoint, or a new writer): spend nothing per request.
        "'', false",
        "-, false",
        "---------, false",
        // Checkpoints catch every request (commit latency over the checkpoint interval): within
        // three requests the bytes are made off the task thread.
        "C, false",
        "CC, false",
        "CCC, true",
        "CCCCCCCCCC, true",
        // Caught two times in three: worth it.
        "CC-CC-CC-CC-CC-CC-, true",
        // Caught one time in two: on the line, it follows the last requests.
        "CCCCCCCCC-C-C-C-C, true",
        "CCCCCCCCC-C-C-C-C-, false",
        "-C-C-C-C-C-C-C-C-C-C-C-C-, false",
        // Caught one time in three (a fast Tinybird): not worth it.
        "C--C--C--C--C--C--, false",
        // Checkpointing stopped, or Tinybird got fast: back to nothing per request within three.
        "CCCCCCCCCC--, true",
        "CCCCCCCCCC---, false",
        // And back again.
        "CCCCCCCCCC-----CCC, true",
    })
    void likelyAfter(String history, boolean likely) {
        SnapshotOdds odds = new SnapshotOdds();
        for (char c : history.toCharArray()) {
            odds.left(c == 'C');
        }

        assertThat(odds.likely()).isEqualTo(likely);
    }
}
