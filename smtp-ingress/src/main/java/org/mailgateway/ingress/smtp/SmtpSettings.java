package org.mailgateway.ingress.smtp;

import java.time.Duration;
import java.util.List;
import org.mailgateway.ingress.config.SmtpConfig;
import org.mailgateway.smtp.codec.LocalHostname;
import org.mailgateway.smtp.codec.SmtpReply;

/** The configuration every connection reads, resolved once at start-up. */
public record SmtpSettings(
        String hostname,
        RelayPolicy relayPolicy,
        long maxMessageSize,
        int maxRecipients,
        int maxLineLength,
        int maxErrors,
        Duration idleTimeout) {

    public static SmtpSettings from(SmtpConfig config) {
        return new SmtpSettings(
                config.hostname().orElseGet(LocalHostname::get),
                new RelayPolicy(config.acceptedDomains(), config.trustedNetworks()),
                config.maxMessageSize(),
                config.maxRecipients(),
                config.maxLineLength(),
                config.maxErrors(),
                config.idleTimeout());
    }

    public SmtpReply greeting() {
        return SmtpReply.of(220, null, hostname + " ESMTP mail gateway");
    }

    public SmtpReply ehloReply() {
        return new SmtpReply(250, null, List.of(hostname, "PIPELINING", "SIZE " + maxMessageSize, "8BITMIME",
                "ENHANCEDSTATUSCODES"));
    }
}
