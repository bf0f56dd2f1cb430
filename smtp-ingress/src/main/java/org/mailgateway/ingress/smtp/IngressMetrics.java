package org.mailgateway.ingress.smtp;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.mailgateway.smtp.codec.SmtpReply;

/** What the ingress counts, exported at {@code /q/metrics} (names in Prometheus form: gateway_smtp_...). */
public final class IngressMetrics {

    private final MeterRegistry registry;
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicInteger unread = new AtomicInteger();
    private final Counter admitted;
    private final Counter accepted;
    private final Counter refusedMessages;
    private final Counter deferred;
    private final Counter relayRefused;
    private final DistributionSummary acceptedBytes;
    private final Counter bytesReceived;
    // counters with a tag known only when it happens, found without building Micrometer tags on every refusal (a
    // flood refuses thousands of connections a second)
    private final Map<String, Counter> refusedConnections = new ConcurrentHashMap<>();
    private final Map<String, Counter> refusals = new ConcurrentHashMap<>();

    public IngressMetrics(MeterRegistry registry) {
        this.registry = registry;
        registry.gauge("gateway.smtp.connections.active", active);
        Gauge.builder("gateway.smtp.connections.unread", unread, AtomicInteger::get)
                .description("SMTP sessions whose client left so many replies unread that the ingress reads nothing more"
                        + " from it until it reads them")
                .register(registry);
        this.admitted = Counter.builder("gateway.smtp.connections").tag("outcome", "admitted")
                .description("SMTP connections by outcome at connect: admitted, blocked, limit, pregreet, proxy_error, shutdown")
                .register(registry);
        this.accepted = Counter.builder("gateway.smtp.messages").tag("result", "accepted")
                .description("messages by outcome at the end of DATA").register(registry);
        this.refusedMessages = Counter.builder("gateway.smtp.messages").tag("result", "refused").register(registry);
        this.deferred = Counter.builder("gateway.smtp.messages").tag("result", "tempfail").register(registry);
        this.relayRefused = Counter.builder("gateway.smtp.relay.refused")
                .description("recipients refused by relay control").register(registry);
        this.acceptedBytes = DistributionSummary.builder("gateway.smtp.message.size").baseUnit("bytes").register(registry);
        this.bytesReceived = Counter.builder("gateway.smtp.received").baseUnit("bytes")
                .description("bytes read from SMTP clients, counted when their session ends").register(registry);
    }

    void connectionOpened() {
        active.incrementAndGet();
    }

    /** The client got the banner. */
    void connectionAdmitted() {
        admitted.increment();
    }

    /** Refused before or instead of the banner: blocked, limit, pregreet, proxy_error, shutdown. */
    void connectionRefused(String outcome) {
        refusedConnections.computeIfAbsent(outcome, o -> registry.counter("gateway.smtp.connections", "outcome", o))
                .increment();
    }

    void connectionClosed(long bytes) {
        active.decrementAndGet();
        bytesReceived.increment(bytes);
    }

    public int activeConnections() {
        return active.get();
    }

    /** A session stopped reading its client because the client does not read its replies. */
    void repliesUnread() {
        unread.incrementAndGet();
    }

    /** That session's client read its replies, or the session closed. */
    void repliesRead() {
        unread.decrementAndGet();
    }

    void messageAccepted(long bytes) {
        accepted.increment();
        acceptedBytes.record(bytes);
    }

    void messageRefused() {
        refusedMessages.increment();
    }

    void messageDeferred() {
        deferred.increment();
    }

    void relayRefused() {
        relayRefused.increment();
    }

    /** Refusals by enhanced status code: the signal an operator graphs during a flood. */
    void refused(SmtpReply reply) {
        String status = reply.enhancedCode() == null ? "none" : reply.enhancedCode();
        refusals.computeIfAbsent(reply.code() + " " + status,
                key -> registry.counter("gateway.smtp.refusals", "code", String.valueOf(reply.code()), "status", status))
                .increment();
    }
}
