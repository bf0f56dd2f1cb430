package org.mailgateway.contracts;

/** Names of the Kafka record headers that carry metadata beside the message bytes. */
public final class RecordHeaders {

    /** {@link Envelope} as JSON, on {@code mail.inbound} and {@code mail.verdicts}. */
    public static final String ENVELOPE = "gateway-envelope";

    /** {@link Verdict} as JSON, on {@code mail.verdicts}. */
    public static final String VERDICT = "gateway-verdict";

    private RecordHeaders() {
    }
}
