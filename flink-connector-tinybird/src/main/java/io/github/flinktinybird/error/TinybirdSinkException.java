package io.github.flinktinybird.error;

/**
 * Why the Tinybird sink failed the job: the message names the cause, the Data Source and what to
 * change. It never contains the token.
 */
public class TinybirdSinkException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int httpStatus;

    public TinybirdSinkException(String message, int httpStatus) {
        super(message);
        this.httpStatus = httpStatus;
    }

    public TinybirdSinkException(String message, int httpStatus, Throwable cause) {
        super(message, cause);
        this.httpStatus = httpStatus;
    }

    /** Tinybird's HTTP status, or 0 when the failure came without an answer. */
    public int getHttpStatus() {
        return httpStatus;
    }
}
