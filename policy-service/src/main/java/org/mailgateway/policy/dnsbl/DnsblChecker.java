package org.mailgateway.policy.dnsbl;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.dns.DnsClient;
import io.vertx.core.dns.DnsClientOptions;
import io.vertx.core.dns.DnsException;
import io.vertx.core.dns.DnsResponseCode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * Asks every configured zone about a client IP at once, with the Vert.x DNS client (no thread waits). Each
 * lookup ends within the timeout: a zone that does not answer in time scores nothing and is counted in
 * {@code gateway_policy_dnsbl_lookups_total{outcome="timeout"}}. Answers are cached (listings for
 * {@code cache-ttl}, "not listed" for {@code negative-cache-ttl}); at most {@code max-in-flight} lookups run at
 * once, beyond that a lookup is skipped and counted. A zone that timed out {@code suspend-after} times in a row is
 * not asked for {@code suspend-for} (its lookups count as {@code suspended}), so a dead server does not make every
 * message wait the timeout. Resolvers from {@code gateway.dns.servers} are asked in turn.
 */
public final class DnsblChecker {

    private static final Logger LOG = Logger.getLogger(DnsblChecker.class);

    /** The outcome of one lookup, as counted in the metric. */
    enum Outcome {
        LISTED, NOT_LISTED, CACHED, TIMEOUT, ERROR, SKIPPED, SUSPENDED
    }

    /** The bounds of the checker, as configured ({@code gateway.dnsbl.*}). */
    public record Limits(Duration timeout, int maxInFlight, Duration cacheTtl, Duration negativeCacheTtl, int cacheSize,
            int suspendAfter, Duration suspendFor) {
    }

    /** Consecutive timeouts of one zone, and until when it is not asked. */
    private static final class ZoneHealth {
        int consecutiveTimeouts;
        long suspendedUntilNanos;
        boolean suspended;
    }

    private record Cached(List<String> answers, long expiresAtNanos) {
    }

    private final Vertx vertx;
    private final List<DnsblZone> zones;
    private final List<DnsClient> clients;
    private final Duration timeout;
    private final int maxInFlight;
    private final long ttlNanos;
    private final long negativeTtlNanos;
    private final MeterRegistry registry;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger nextClient = new AtomicInteger();
    private final LinkedHashMap<String, Cached> cache;
    private final int suspendAfter;
    private final long suspendForNanos;
    private final Map<String, ZoneHealth> health = new java.util.HashMap<>();

    /**
     * @param servers {@code host:port} entries; empty uses the system's resolver
     */
    public DnsblChecker(Vertx vertx, List<DnsblZone> zones, List<String> servers, Limits limits, MeterRegistry registry) {
        this.vertx = vertx;
        this.zones = List.copyOf(zones);
        this.timeout = limits.timeout();
        this.maxInFlight = limits.maxInFlight();
        this.ttlNanos = limits.cacheTtl().toNanos();
        this.negativeTtlNanos = limits.negativeCacheTtl().toNanos();
        this.suspendAfter = limits.suspendAfter();
        this.suspendForNanos = limits.suspendFor().toNanos();
        int cacheSize = limits.cacheSize();
        this.registry = registry;
        this.cache = new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Cached> eldest) {
                return size() > cacheSize;
            }
        };
        List<DnsClient> made = new ArrayList<>();
        if (!zones.isEmpty()) {
            if (servers.isEmpty()) {
                made.add(vertx.createDnsClient(new DnsClientOptions().setQueryTimeout(timeout.toMillis()).setRecursionDesired(true)));
            }
            for (String server : servers) {
                int colon = server.lastIndexOf(':');
                if (colon <= 0) {
                    throw new IllegalArgumentException("DNS server '" + server + "' is not host:port");
                }
                String host = server.substring(0, colon).replace("[", "").replace("]", "");
                int port = Integer.parseInt(server.substring(colon + 1).trim());
                made.add(vertx.createDnsClient(new DnsClientOptions().setHost(host.trim()).setPort(port)
                        .setQueryTimeout(timeout.toMillis()).setRecursionDesired(true)));
            }
        }
        this.clients = List.copyOf(made);
    }

    public List<DnsblZone> zones() {
        return zones;
    }

    /** The zones that list {@code ip}; completes within the timeout and never fails. */
    public Future<List<DnsblListing>> check(String ip) {
        if (zones.isEmpty()) {
            return Future.succeededFuture(List.of());
        }
        List<Future<Optional<DnsblListing>>> lookups = zones.stream().map(zone -> lookup(zone, ip)).toList();
        return Future.join(lookups).map(all -> lookups.stream().map(Future::result).flatMap(Optional::stream).toList());
    }

    private Future<Optional<DnsblListing>> lookup(DnsblZone zone, String ip) {
        String name;
        try {
            name = zone.queryName(ip);
        } catch (IllegalArgumentException notAnAddress) {
            return Future.succeededFuture(Optional.empty());
        }
        Cached cached = cached(name);
        if (cached != null) {
            count(zone, Outcome.CACHED);
            return Future.succeededFuture(listing(zone, cached.answers()));
        }
        if (suspended(zone)) {
            count(zone, Outcome.SUSPENDED);
            return Future.succeededFuture(Optional.empty());
        }
        if (inFlight.incrementAndGet() > maxInFlight) {
            inFlight.decrementAndGet();
            count(zone, Outcome.SKIPPED);
            return Future.succeededFuture(Optional.empty());
        }
        // the timer and the answer may race on different event loops: whichever settles first counts and completes,
        // and it counts before it completes, so whoever waits on the result sees the count
        AtomicBoolean settled = new AtomicBoolean();
        Promise<Optional<DnsblListing>> result = Promise.promise();
        long timer = vertx.setTimer(timeout.toMillis(), t -> {
            if (settled.compareAndSet(false, true)) {
                timedOut(zone);
                LOG.debugf("DNSBL %s: no answer for %s within %s", zone.zone(), name, timeout);
                result.complete(Optional.empty());
            }
        });
        DnsClient client = clients.get(Math.floorMod(nextClient.getAndIncrement(), clients.size()));
        client.resolveA(name).onComplete(answer -> {
            vertx.cancelTimer(timer);
            inFlight.decrementAndGet();
            if (answer.succeeded() || answer.cause() instanceof DnsException) {
                answered(zone);
            }
            List<String> accepted;
            if (answer.succeeded()) {
                accepted = answer.result().stream().filter(zone::accepts).toList();
                remember(name, accepted);
            } else if (answer.cause() instanceof DnsException dns && dns.code() == DnsResponseCode.NXDOMAIN) {
                accepted = List.of();
                remember(name, accepted);
            } else {
                accepted = null;
            }
            if (!settled.compareAndSet(false, true)) {
                return;
            }
            if (accepted != null) {
                count(zone, accepted.isEmpty() ? Outcome.NOT_LISTED : Outcome.LISTED);
                result.complete(listing(zone, accepted));
                return;
            }
            if (String.valueOf(answer.cause().getMessage()).toLowerCase().contains("timeout")) {
                timedOut(zone);
            } else {
                count(zone, Outcome.ERROR);
            }
            LOG.debugf("DNSBL %s: lookup of %s failed: %s", zone.zone(), name, answer.cause());
            result.complete(Optional.empty());
        });
        return result.future();
    }

    private synchronized boolean suspended(DnsblZone zone) {
        ZoneHealth h = health.get(zone.zone());
        if (h == null || !h.suspended) {
            return false;
        }
        if (h.suspendedUntilNanos - System.nanoTime() > 0) {
            return true;
        }
        h.suspended = false;
        h.consecutiveTimeouts = 0;
        LOG.infof("DNSBL %s: asking again after %d s of suspension", zone.zone(), Duration.ofNanos(suspendForNanos).toSeconds());
        return false;
    }

    private void timedOut(DnsblZone zone) {
        count(zone, Outcome.TIMEOUT);
        synchronized (this) {
            ZoneHealth h = health.computeIfAbsent(zone.zone(), z -> new ZoneHealth());
            h.consecutiveTimeouts++;
            if (suspendAfter > 0 && !h.suspended && h.consecutiveTimeouts >= suspendAfter) {
                h.suspended = true;
                h.suspendedUntilNanos = System.nanoTime() + suspendForNanos;
                LOG.warnf("DNSBL %s: %d timeouts in a row, not asked for %d s", zone.zone(), h.consecutiveTimeouts,
                        Duration.ofNanos(suspendForNanos).toSeconds());
            }
        }
    }

    private synchronized void answered(DnsblZone zone) {
        ZoneHealth h = health.get(zone.zone());
        if (h != null) {
            h.consecutiveTimeouts = 0;
        }
    }

    private static Optional<DnsblListing> listing(DnsblZone zone, List<String> answers) {
        return answers.isEmpty() ? Optional.empty() : Optional.of(new DnsblListing(zone.zone(), zone.weight(), answers));
    }

    private synchronized Cached cached(String name) {
        Cached cached = cache.get(name);
        if (cached != null && cached.expiresAtNanos() - System.nanoTime() <= 0) {
            cache.remove(name);
            return null;
        }
        return cached;
    }

    private synchronized void remember(String name, List<String> answers) {
        cache.put(name, new Cached(answers, System.nanoTime() + (answers.isEmpty() ? negativeTtlNanos : ttlNanos)));
    }

    private void count(DnsblZone zone, Outcome outcome) {
        registry.counter("gateway.policy.dnsbl.lookups", "zone", zone.zone(), "outcome", outcome.name().toLowerCase()).increment();
    }
}
