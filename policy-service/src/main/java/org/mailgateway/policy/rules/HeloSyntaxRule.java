package org.mailgateway.policy.rules;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.mailgateway.contracts.RuleHit;
import org.mailgateway.policy.blocking.Networks;

/**
 * The HELO/EHLO name must be a fully qualified domain name or an address literal (RFC 5321 section 4.1.1.1).
 * Spam software often announces a bare word, a bare IP or garbage; real mail servers rarely do. A client that
 * announces this gateway's own name or address is forging.
 */
public final class HeloSyntaxRule implements Rule {

    public static final String NOT_FQDN = "HELO_NOT_FQDN";
    public static final String BARE_IP = "HELO_BARE_IP";
    public static final String OWN_NAME = "HELO_OWN_NAME";

    private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?");
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern ADDRESS_LITERAL = Pattern.compile("\\[(\\d{1,3}(\\.\\d{1,3}){3}|IPv6:[0-9A-Fa-f:.]+)]");

    private final double notFqdnScore;
    private final double bareIpScore;
    private final Set<String> ownNames;
    private final Networks ownAddresses;
    private final double ownNameScore;

    public HeloSyntaxRule(double notFqdnScore, double bareIpScore) {
        this(notFqdnScore, bareIpScore, List.of(), Networks.NONE, 0);
    }

    /**
     * @param ownNames     names this gateway uses for itself (compared without case)
     * @param ownAddresses this gateway's addresses, matched against address literals and bare IPs
     */
    public HeloSyntaxRule(double notFqdnScore, double bareIpScore, List<String> ownNames, Networks ownAddresses,
            double ownNameScore) {
        this.notFqdnScore = notFqdnScore;
        this.bareIpScore = bareIpScore;
        this.ownNames = ownNames.stream().map(n -> n.trim().toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
        this.ownAddresses = ownAddresses;
        this.ownNameScore = ownNameScore;
    }

    @Override
    public List<RuleHit> evaluate(MessageFacts facts) {
        String helo = facts.envelope().heloName() == null ? "" : facts.envelope().heloName();
        if (ownNames.contains(helo.toLowerCase(Locale.ROOT))) {
            return hit(OWN_NAME, ownNameScore, "HELO name '" + helo + "' is this gateway's own name");
        }
        String literal = helo.startsWith("[IPv6:") && helo.endsWith("]") ? helo.substring(6, helo.length() - 1)
                : helo.startsWith("[") && helo.endsWith("]") ? helo.substring(1, helo.length() - 1) : helo;
        if (ownAddresses.find(literal).isPresent()) {
            return hit(OWN_NAME, ownNameScore, "HELO name '" + helo + "' is this gateway's own address");
        }
        if (ADDRESS_LITERAL.matcher(helo).matches() || isFqdn(helo)) {
            return List.of();
        }
        if (IPV4.matcher(helo).matches() || (helo.indexOf(':') >= 0 && helo.matches("[0-9A-Fa-f:.]+"))) {
            return hit(BARE_IP, bareIpScore, "HELO name '" + helo + "' is an IP address without the brackets of an address literal");
        }
        return hit(NOT_FQDN, notFqdnScore, "HELO name '" + helo + "' is not a fully qualified domain name or an address literal");
    }

    static boolean isFqdn(String name) {
        String[] labels = name.split("\\.", -1);
        if (labels.length < 2 || name.length() > 253) {
            return false;
        }
        for (String label : labels) {
            if (!LABEL.matcher(label).matches()) {
                return false;
            }
        }
        // the top-level label is never all digits
        return !labels[labels.length - 1].chars().allMatch(Character::isDigit);
    }

    private static List<RuleHit> hit(String rule, double score, String reason) {
        return score == 0 ? List.of() : List.of(new RuleHit(rule, score, reason));
    }
}
