package org.mailgateway.contracts;

/** A Kafka record whose contract metadata is missing or cannot be read. */
public class MalformedRecordException extends RuntimeException {

    public MalformedRecordException(String message) {
        super(message);
    }

    public MalformedRecordException(String message, Throwable cause) {
        super(message, cause);
    }
}
