package org.mailgateway.ingress.smtp;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.mailgateway.contracts.Cidr;
import org.mailgateway.ingress.auth.CredentialStore;
import org.mailgateway.ingress.auth.SaslExchange;
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
        SmtpConfig.LongLines longMessageLines,
        Duration idleTimeout,
        int stressConnections,
        Duration stressIdleTimeout,
        Duration maxSessionDuration,
        Duration bannerDelay,
        boolean tlsAvailable,
        CredentialStore credentials,
        boolean authRequiresTls,
        boolean showUserInReceived,
        List<Cidr> proxySources,
        Duration proxyTimeout) {

    public static SmtpSettings from(SmtpConfig config, boolean tlsAvailable) {
        int stress = config.stress().connections() > 0 ? config.stress().connections() : config.maxConnections() * 4 / 5;
        List<Cidr> proxySources = new ArrayList<>();
        for (String cidr : config.proxyProtocol().sources().orElse(List.of())) {
            if (!cidr.isBlank()) {
                proxySources.add(Cidr.parse(cidr));
            }
        }
        return new SmtpSettings(
                config.hostname().orElseGet(LocalHostname::get),
                new RelayPolicy(config.acceptedDomains(), config.trustedNetworks()),
                config.maxMessageSize(),
                config.maxRecipients(),
                config.maxLineLength(),
                config.maxErrors(),
                config.longMessageLines(),
                config.idleTimeout(),
                stress,
                config.stress().idleTimeout(),
                config.maxSessionDuration(),
                config.bannerDelay(),
                tlsAvailable,
                config.auth().credentialsFile().map(Path::of).map(CredentialStore::load).orElse(null),
                config.auth().requireTls(),
                config.auth().showUserInReceived(),
                List.copyOf(proxySources),
                config.proxyProtocol().timeout());
    }

    /** Whether a connection from {@code peer} must begin with a PROXY protocol header. */
    public boolean expectsProxyHeader(InetAddress peer) {
        for (Cidr source : proxySources) {
            if (source.contains(peer)) {
                return true;
            }
        }
        return false;
    }

    public SmtpReply greeting() {
        return SmtpReply.of(220, null, hostname + " ESMTP mail gateway");
    }

    /** @param tls whether the session is already encrypted (then STARTTLS is no longer offered) */
    public SmtpReply ehloReply(boolean tls) {
        List<String> lines = new ArrayList<>(List.of(hostname, "PIPELINING", "SIZE " + maxMessageSize, "8BITMIME",
                "SMTPUTF8", "ENHANCEDSTATUSCODES", "DSN"));
        if (tlsAvailable && !tls) {
            lines.add("STARTTLS");
        }
        if (authOffered(tls)) {
            lines.add("AUTH " + SaslExchange.MECHANISMS);
        }
        return new SmtpReply(250, null, lines);
    }

    public boolean authOffered(boolean tls) {
        return credentials != null && (tls || !authRequiresTls);
    }
}
