package org.mailgateway.ingress.smtp;

import java.net.InetAddress;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.mailgateway.contracts.Cidr;
import org.mailgateway.ingress.smtp.address.SmtpPath;

/**
 * Relay control at RCPT time: a client that is neither trusted nor authenticated may only send to the
 * accepted domains, and only in forms that no later hop can turn into a relay (no source route, no
 * {@code %}-hack or {@code !} bang path, no second {@code @} in the local part, quoted or not, no address
 * literal, no trailing dot in the domain).
 */
public final class RelayPolicy {

    private final Set<String> acceptedDomains;
    private final List<Cidr> trustedNetworks;

    public RelayPolicy(List<String> acceptedDomains, List<String> trustedNetworks) {
        this.acceptedDomains = acceptedDomains.stream()
                .map(String::strip).filter(d -> !d.isEmpty())
                .map(d -> d.toLowerCase(Locale.ROOT))
                .collect(Collectors.toUnmodifiableSet());
        this.trustedNetworks = trustedNetworks.stream()
                .map(String::strip).filter(c -> !c.isEmpty())
                .map(Cidr::parse)
                .toList();
    }

    public boolean isTrusted(InetAddress client) {
        for (Cidr network : trustedNetworks) {
            if (network.contains(client)) {
                return true;
            }
        }
        return false;
    }

    /**
     * @param mayRelay the client is trusted or authenticated
     * @return why the recipient is refused, or empty when it may be accepted
     */
    public Optional<String> refusal(SmtpPath recipient, boolean mayRelay) {
        if (mayRelay) {
            return Optional.empty();
        }
        if (!recipient.sourceRoute().isEmpty()) {
            return Optional.of("source route");
        }
        if (recipient.addressLiteral()) {
            return Optional.of("address literal");
        }
        String local = recipient.unquotedLocalPart();
        if (local.indexOf('@') >= 0 || local.indexOf('%') >= 0 || local.indexOf('!') >= 0) {
            return Optional.of("routing characters in the local part");
        }
        if (recipient.domain().endsWith(".")) {
            return Optional.of("trailing dot in the domain");
        }
        if (!acceptedDomains.contains(recipient.domainLowerCase())) {
            return Optional.of("domain not accepted");
        }
        return Optional.empty();
    }
}
