package org.mailgateway.contracts;

/**
 * The Kafka topics that connect the services. The names are a contract (DESIGN.md); partition counts
 * and retention are configuration of whoever creates the topics (local-stack, deploy/).
 */
public final class Topics {

    /** Accepted messages, keyed by client IP; value = the message bytes, envelope in a header. */
    public static final String MAIL_INBOUND = "mail.inbound";

    /** One summary per SMTP session, keyed by client IP. */
    public static final String SMTP_SESSIONS = "smtp.sessions";

    /** Scored messages, keyed by message id; value = the same bytes, envelope and verdict in headers. */
    public static final String MAIL_VERDICTS = "mail.verdicts";

    /** Block and allow entries keyed by CIDR; compacted, a tombstone removes an entry. */
    public static final String POLICY_BLOCKLIST = "policy.blocklist";

    /**
     * {@code mail.inbound} records that policy-service cannot read (no or a broken envelope header): kept
     * aside for a person instead of being dropped. Named in policy-service's configuration too.
     */
    public static final String MAIL_INBOUND_DEAD_LETTER = "mail.inbound.dead-letter";

    /** {@code mail.verdicts} records that queue-service cannot read. Named in queue-service's configuration too. */
    public static final String MAIL_VERDICTS_DEAD_LETTER = "mail.verdicts.dead-letter";

    private Topics() {
    }
}
