package io.github.flinktinybird.sink;

/**
 * Whether a request now going out is likely to be in a checkpoint before its answer comes, judged
 * from the last requests: each one, as it leaves flight, tells whether a snapshot caught it.
 *
 * <p>The writer uses it to decide where a request's checkpointed bytes are made. When checkpoints
 * catch most requests (commit latency near or above the checkpoint interval), making them on the
 * HTTP thread once the body is written takes that work off the checkpoint's synchronous phase, and
 * costs little that a snapshot would not have spent anyway. When they rarely do (no checkpoints, a
 * fast Tinybird), the bytes are only made by a snapshot that needs them: nothing is spent per
 * request. An average over the last few requests, so that it follows a change of checkpoint
 * interval or latency within a few requests; it starts at "unlikely", spending nothing until
 * checkpoints have shown they catch requests. Not thread-safe: its owner holds a lock.
 */
final class SnapshotOdds {
    /** Each request's weight in the average: the odds follow a change within ~3 requests. */
    static final double WEIGHT = 0.25;
    /**
     * From here on, precomputing wastes at most as much work as it moves off the synchronous
     * phase (a request not caught costs its bytes for nothing; one caught saves them there).
     */
    static final double LIKELY = 0.5;

    private double caught;

    /** A request left flight (answered, split, retried): whether any snapshot held it meanwhile. */
    void left(boolean wasInASnapshot) {
        caught += WEIGHT * ((wasInASnapshot ? 1 : 0) - caught);
    }

    boolean likely() {
        return caught >= LIKELY;
    }
}
