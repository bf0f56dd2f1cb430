package org.mailgateway.queue.delivery;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.dns.DnsClient;
import io.vertx.core.dns.DnsClientOptions;
import io.vertx.core.dns.DnsException;
import io.vertx.core.dns.DnsResponseCode;
import io.vertx.core.dns.MxRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.mailgateway.smtp.codec.SmtpReply;

/**
 * Turns a recipient domain into the addresses to try, per RFC 5321 §5.1: its MX hosts by preference (equal
 * preferences in random order), or the domain itself when it has no MX record; a null MX (RFC 7505) or a domain
 * that does not exist fails for good, a DNS failure defers. Asynchronous (Vert.x DNS client), so a slow resolver
 * holds up nothing but this attempt. At most {@link #MAX_ADDRESSES} addresses are tried per attempt.
 */
public final class MxResolver {

    public static final int MAX_ADDRESSES = 5;

    /** Either the hosts to try in order or why there are none. */
    public sealed interface Result {
    }

    public record Found(List<Destination> hosts) implements Result {
    }

    /** @param reply a 5xx (permanent: the domain has no mail server) or 4xx (DNS trouble: try later) */
    public record NotFound(SmtpReply reply) implements Result {
    }

    private final DnsClient dns;

    /** @param server {@code host:port} of the resolver, or null for the system's */
    public MxResolver(Vertx vertx, String server, Duration timeout) {
        DnsClientOptions options = new DnsClientOptions().setQueryTimeout(timeout.toMillis()).setRecursionDesired(true);
        if (server != null) {
            int colon = server.lastIndexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("DNS server '" + server + "' is not host:port");
            }
            options.setHost(server.substring(0, colon).replace("[", "").replace("]", "").trim())
                    .setPort(Integer.parseInt(server.substring(colon + 1).trim()));
        }
        this.dns = vertx.createDnsClient(options);
    }

    public Future<Result> resolve(String domain, int port) {
        return dns.resolveMX(domain).<Result>compose(records -> {
            if (isNullMx(records)) {
                return Future.succeededFuture(new NotFound(SmtpReply.of(556, "5.1.10",
                        domain + " accepts no mail (null MX)")));
            }
            List<String> exchanges = records.isEmpty() ? List.of(domain) : byPreference(records);
            return addresses(exchanges, 0, port, new ArrayList<>()).map(hosts -> hosts.isEmpty()
                    ? new NotFound(SmtpReply.of(451, "4.4.4", "no address for the mail servers of " + domain))
                    : new Found(hosts));
        }, error -> Future.succeededFuture(failure(domain, error)));
    }

    private static boolean isNullMx(List<MxRecord> records) {
        if (records.size() != 1) {
            return false;
        }
        String name = records.get(0).name();
        return name == null || name.isEmpty() || name.equals(".");
    }

    private static List<String> byPreference(List<MxRecord> records) {
        List<MxRecord> shuffled = new ArrayList<>(records);
        Collections.shuffle(shuffled, ThreadLocalRandom.current());
        shuffled.sort(Comparator.comparingInt(MxRecord::priority)); // stable: equal preferences stay shuffled
        return shuffled.stream().map(r -> stripDot(r.name())).distinct().toList();
    }

    /** The IPv4 addresses of each exchange in turn (a name that does not resolve is skipped). */
    private Future<List<Destination>> addresses(List<String> exchanges, int index, int port, List<Destination> found) {
        if (index == exchanges.size() || found.size() >= MAX_ADDRESSES) {
            return Future.succeededFuture(found.size() > MAX_ADDRESSES ? found.subList(0, MAX_ADDRESSES) : found);
        }
        return dns.resolveA(exchanges.get(index))
                .otherwise(error -> List.of())
                .compose(addresses -> {
                    for (String address : addresses) {
                        found.add(new Destination(address, port));
                    }
                    return addresses(exchanges, index + 1, port, found);
                });
    }

    private static Result failure(String domain, Throwable error) {
        if (error instanceof DnsException dnsError && dnsError.code() == DnsResponseCode.NXDOMAIN) {
            return new NotFound(SmtpReply.of(550, "5.1.2", "domain " + domain + " does not exist"));
        }
        String why = error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
        return new NotFound(SmtpReply.of(451, "4.4.3", "MX lookup for " + domain + " failed: " + why));
    }

    private static String stripDot(String name) {
        return name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    }
}
