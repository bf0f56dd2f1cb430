package org.mailgateway.queue.service;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.netty.buffer.Unpooled;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;
import org.mailgateway.contracts.ContractJson;
import org.mailgateway.contracts.Envelope;
import org.mailgateway.contracts.MessageIds;
import org.mailgateway.contracts.Verdict;
import org.mailgateway.queue.bounce.Bounce;
import org.mailgateway.queue.config.DeliveryConfig;
import org.mailgateway.queue.config.DnsConfig;
import org.mailgateway.queue.delivery.Backoff;
import org.mailgateway.queue.delivery.Destination;
import org.mailgateway.queue.delivery.MxResolver;
import org.mailgateway.queue.delivery.NextHop;
import org.mailgateway.queue.delivery.RecipientResult;
import org.mailgateway.queue.delivery.Routes;
import org.mailgateway.queue.delivery.SmtpDeliveryClient;
import org.mailgateway.queue.store.ClaimedDelivery;
import org.mailgateway.queue.store.DeliveryUpdate;
import org.mailgateway.queue.store.MailStore;
import org.mailgateway.queue.store.MessageContent;
import org.mailgateway.queue.store.NewMessage;
import org.mailgateway.smtp.codec.LocalHostname;

/**
 * The delivery loop: leases due recipients from the store, delivers each message once per next hop, and
 * records the outcome: delivered, failed, or deferred with an exponentially growing delay until the queue
 * lifetime runs out. It runs every poll interval and whenever new mail was stored, a few rounds at a time. Several instances can run
 * at once; the store's leases keep them from sending the same recipient twice.
 */
@ApplicationScoped
public class DeliveryService {

    private static final Logger LOG = Logger.getLogger(DeliveryService.class);

    /** The last reply of a recipient expired by {@link #expireNeverStored}. */
    static final String NEVER_STORED = "the message's bytes never reached the gateway's store"
            + " (its mail.verdicts record was not read again after a first attempt was cut short)";

    /** Recipients {@link #expireNeverStored} expires in one transaction. */
    private static final int NEVER_STORED_BATCH = 500;

    private final Vertx vertx;
    private final MailStore store;
    private final DeliveryConfig config;
    private final MeterRegistry registry;
    private final Routes routes;
    private final Backoff backoff;
    private final Clock clock = Clock.systemUTC();
    /** Rounds in progress, at most {@code gateway.delivery.rounds-in-flight}; guarded by {@code this}. */
    private int rounds;
    /** Whether a wake-up came while every round slot was taken; guarded by {@code this}. */
    private boolean again;
    private final DnsConfig dnsConfig;
    private final String heloName;
    private SmtpDeliveryClient client;
    private MxResolver mx;
    private long timer = -1;
    private long renewTimer = -1;
    /** What the rounds in progress have claimed: their leases are renewed until they have recorded the outcomes. */
    private final Set<ClaimedDelivery> inProgress = ConcurrentHashMap.newKeySet();
    /** The bytes of mail just stored here, for its first attempt (see {@link RecentContent}). */
    private final RecentContent recent;
    /** Recipients stored leased for a first attempt (see {@link #forStore}) whose outcome is not recorded yet. */
    private final AtomicInteger firstAttempts = new AtomicInteger();
    /** Messages waiting for room among the first attempts (see {@link #forStore}), oldest first; guarded by itself. */
    private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
    /** Set when a message waited {@code first-attempt-wait} for room in vain; cleared when a first attempt ends. */
    private volatile boolean firstAttemptsStuck;
    private long waitTimer = -1;
    /** A round of first attempts: its SMTP transactions, then the transaction that records their outcomes. */
    private final Timer firstRoundDelivering;
    private final Timer firstRoundRecording;
    /** Messages stored leased and not yet handed to a round; guarded by itself. */
    private final List<FirstAttempt> firstAttemptBatch = new ArrayList<>();

    /**
     * A message stored leased for its first attempt. {@code settled} completes once the store holds what a restart
     * needs: at once when its bytes were stored with its rows; otherwise when its outcome is recorded with the bytes
     * an undelivered recipient needs, or its bytes are stored after the grace.
     */
    private record FirstAttempt(MessageContent content, List<ClaimedDelivery> deliveries, boolean bytesLater,
            CompletableFuture<Void> settled) {
    }

    /** A message waiting since {@code since} ({@link System#nanoTime}) for room among the first attempts. */
    private record Waiting(NewMessage message, CompletableFuture<NewMessage> admitted, long since) {
    }

    public DeliveryService(Vertx vertx, MailStore store, DeliveryConfig config, DnsConfig dnsConfig, MeterRegistry registry) {
        this.vertx = vertx;
        this.dnsConfig = dnsConfig;
        this.heloName = config.heloName().orElseGet(LocalHostname::get);
        this.store = store;
        this.config = config;
        this.registry = registry;
        this.routes = Routes.parse(config.routes());
        this.backoff = new Backoff(config.retry().initial(), config.retry().multiplier(), config.retry().max());
        this.recent = new RecentContent(config.recentContentBytes());
        registry.gauge("gateway.delivery.recent.bytes", recent, RecentContent::bytes);
        registry.gauge("gateway.delivery.first.attempts", firstAttempts);
        this.firstRoundDelivering = Timer.builder("gateway.delivery.first.round").tag("phase", "deliver")
                .register(registry);
        this.firstRoundRecording = Timer.builder("gateway.delivery.first.round").tag("phase", "record")
                .register(registry);
        // at zero from the start, so that an alert on its increase sees the first one
        registry.counter("gateway.delivery.expired.without.bytes");
        registry.gauge("gateway.delivery.first.attempts.waiting", waiting, w -> {
            synchronized (w) {
                return w.size();
            }
        });
    }

    /** Counts messages whose bytes were written after their rows, by why. */
    private void bytesWritten(String reason, int messages) {
        registry.counter("gateway.delivery.bytes.after.attempt", "reason", reason).increment(messages);
    }

    void start(@Observes StartupEvent event) {
        client = new SmtpDeliveryClient(vertx, heloName,
                config.connectTimeout(), config.replyTimeout(), new SmtpDeliveryClient.PoolSettings(
                        config.connectionsPerDestination(), config.connectionIdleTimeout(), config.transactionsPerConnection(),
                        config.starttls(), config.tlsRequired().orElse(List.of()).stream().map(String::strip)
                                .filter(d -> !d.isEmpty()).map(Destination::parse).collect(java.util.stream.Collectors.toSet())));
        mx = new MxResolver(vertx, dnsConfig.servers().flatMap(s -> s.stream().map(String::strip)
                .filter(e -> !e.isEmpty()).findFirst()).orElse(null), dnsConfig.timeout());
        timer = vertx.setPeriodic(config.pollInterval().toMillis(), id -> wake());
        renewTimer = vertx.setPeriodic(Math.max(1000, config.lease().toMillis() / 3), id -> store.renewLeases(List.copyOf(inProgress),
                config.lease()).subscribe().with(v -> { }, e -> LOG.warnf("renewing delivery leases failed: %s", e.toString())));
        if (!config.firstAttemptWait().isZero()) {
            waitTimer = vertx.setPeriodic(Math.max(10, config.firstAttemptWait().toMillis() / 4), id -> endWaitsInVain());
        }
    }

    void stop(@Observes ShutdownEvent event) {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
        if (renewTimer >= 0) {
            vertx.cancelTimer(renewTimer);
        }
        if (waitTimer >= 0) {
            vertx.cancelTimer(waitTimer);
        }
    }

    /** The next hop of a recipient under the current routes, in the form stored with each delivery. */
    public String destinationOf(String recipient) {
        return routes.forRecipient(recipient).map(NextHop::label).orElse(NewMessage.NewDelivery.NO_ROUTE);
    }

    /**
     * The message as it is to be stored: with its deliveries leased to this instance for their first attempt right
     * after the commit ({@link NewMessage#firstAttempt}) while fewer than {@code first-attempt-room} recipients are in
     * such first attempts. At that limit it waits for room, as long as first attempts are ending: under load the
     * backlog stays in Kafka, and the cheap path (no bytes in the store for mail delivered at once) stays open when
     * the CPU is short. It is stored due instead, with its bytes, for the delivery loop, when it has more recipients
     * than the limit, when it waited {@code first-attempt-wait} in vain (a stalled downstream holds the room: mail for
     * other next hops must not wait for it), and from then on until a first attempt ends. Every message returned
     * leased must come back through {@link #stored} or {@link #notStored}.
     *
     * @return completes, on whatever thread made room or gave up waiting, with the message to store
     */
    public CompletionStage<NewMessage> forStore(NewMessage message) {
        int recipients = message.deliveries().size();
        if (recipients == 0 || message.verdict().action() != Verdict.Action.DELIVER) {
            return CompletableFuture.completedFuture(message);
        }
        if (reserveFirstAttempts(recipients)) {
            return CompletableFuture.completedFuture(leased(message));
        }
        if (recipients > config.firstAttemptRoom() || config.firstAttemptWait().isZero() || firstAttemptsStuck) {
            return CompletableFuture.completedFuture(storedDue(message));
        }
        Waiting wait = new Waiting(message, new CompletableFuture<>(), System.nanoTime());
        synchronized (waiting) {
            waiting.addLast(wait);
        }
        admitWaiting(); // a first attempt may have ended since the reservation above failed
        return wait.admitted();
    }

    private boolean reserveFirstAttempts(int recipients) {
        int limit = config.firstAttemptRoom();
        for (int now = firstAttempts.get(); now + recipients <= limit; now = firstAttempts.get()) {
            if (firstAttempts.compareAndSet(now, now + recipients)) {
                return true;
            }
        }
        return false;
    }

    private NewMessage leased(NewMessage message) {
        return message.leasedFor(config.lease(), !config.firstAttemptGrace().isZero());
    }

    /** Stored due, with its bytes: the loop attempts it when it has room. */
    private NewMessage storedDue(NewMessage message) {
        registry.counter("gateway.delivery.stored.due").increment();
        return message;
    }

    private void firstAttemptsEnded(int recipients) {
        firstAttempts.addAndGet(-recipients);
        firstAttemptsStuck = false;
        admitWaiting();
    }

    /** Leases the waiting messages that fit now, oldest first. */
    private void admitWaiting() {
        List<Waiting> admitted = new ArrayList<>();
        synchronized (waiting) {
            while (!waiting.isEmpty() && reserveFirstAttempts(waiting.peekFirst().message().deliveries().size())) {
                admitted.add(waiting.pollFirst());
            }
        }
        admitted.forEach(wait -> wait.admitted().complete(leased(wait.message())));
    }

    /** Once the oldest waiting message has waited {@code first-attempt-wait}, all are stored due: no room is coming. */
    private void endWaitsInVain() {
        List<Waiting> inVain;
        synchronized (waiting) {
            if (waiting.isEmpty() || System.nanoTime() - waiting.peekFirst().since() < config.firstAttemptWait().toNanos()) {
                return;
            }
            firstAttemptsStuck = true;
            inVain = List.copyOf(waiting);
            waiting.clear();
        }
        LOG.infof("%d messages waited %s for room among the first attempts in vain: stored due until a first attempt ends",
                inVain.size(), config.firstAttemptWait());
        inVain.forEach(wait -> wait.admitted().complete(storedDue(wait.message())));
    }

    /** A message from {@link #forStore} that was not stored after all (a duplicate, or refused for good). */
    public void notStored(NewMessage message) {
        if (message.firstAttempt() != null) {
            firstAttemptsEnded(message.deliveries().size());
        }
    }

    /**
     * A message from {@link #forStore} is in the store, with deliveries: leased ones are attempted now, together
     * with the others stored in the same turn of the event loop (one round, one transaction for their outcomes);
     * due ones are kept in memory for their first attempt, which need not read them back from the store, and the
     * delivery loop is woken.
     *
     * @return completes when the store holds all a restart needs of this message: its {@code mail.verdicts} record
     *     may be acknowledged then, and not before. For a message stored without its bytes
     *     ({@link NewMessage#bytesAfterAttempt}) that is once it was delivered to every recipient, or its bytes were
     *     written; it fails only when the store refuses the bytes for good.
     */
    public CompletionStage<Void> stored(NewMessage message) {
        if (message.deliveries().isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        MessageContent content = message.content();
        if (message.firstAttempt() == null) {
            recent.put(content);
            wake();
            return CompletableFuture.completedFuture(null);
        }
        List<ClaimedDelivery> claimed = message.deliveries().stream()
                .map(d -> new ClaimedDelivery(content.messageId(), d.recipient(), d.destination(), 1))
                .toList();
        inProgress.addAll(claimed); // its leases are renewed from now on
        FirstAttempt first = new FirstAttempt(content, claimed, message.bytesAfterAttempt(),
                message.bytesAfterAttempt() ? new CompletableFuture<>() : CompletableFuture.completedFuture(null));
        boolean schedule;
        synchronized (firstAttemptBatch) {
            schedule = firstAttemptBatch.isEmpty();
            firstAttemptBatch.add(first);
        }
        if (schedule) {
            vertx.runOnContext(v -> attemptFirst());
        }
        return first.settled();
    }

    /**
     * One round for the messages stored leased since the last one. Of those stored without their bytes, whichever
     * comes first settles them: the outcomes, recorded together with the bytes of every message a recipient still
     * waits for, or the grace running out, which stores all their bytes (the outcomes are recorded later, as they
     * come). Recording is retried while PostgreSQL is away; when the store refuses the outcomes for good, the bytes
     * are stored on their own.
     */
    private void attemptFirst() {
        Map<String, MessageContent> contents = new HashMap<>();
        List<ClaimedDelivery> claimed = new ArrayList<>();
        List<FirstAttempt> bytesLater = new ArrayList<>();
        synchronized (firstAttemptBatch) {
            for (FirstAttempt first : firstAttemptBatch) {
                contents.put(first.content().messageId(), first.content());
                claimed.addAll(first.deliveries());
                if (first.bytesLater()) {
                    bytesLater.add(first);
                }
            }
            firstAttemptBatch.clear();
        }
        AtomicBoolean settling = new AtomicBoolean(bytesLater.isEmpty());
        long grace = bytesLater.isEmpty() ? -1 : vertx.setTimer(config.firstAttemptGrace().toMillis(), id -> {
            if (settling.compareAndSet(false, true)) {
                settleWithBytes(bytesLater, "grace");
            }
        });
        long started = System.nanoTime();
        attemptAll(claimed, contents)
                .chain(updates -> {
                    long delivered = System.nanoTime();
                    firstRoundDelivering.record(delivered - started, TimeUnit.NANOSECONDS);
                    if (grace >= 0) {
                        vertx.cancelTimer(grace);
                    }
                    boolean settles = settling.compareAndSet(false, true);
                    List<MessageContent> bytes = settles ? waitedFor(bytesLater, updates) : List.of();
                    return record(updates, contents, bytes)
                            .invoke(() -> {
                                firstRoundRecording.record(System.nanoTime() - delivered, TimeUnit.NANOSECONDS);
                                if (settles) {
                                    bytesWritten("not-delivered", bytes.size());
                                    bytesLater.forEach(f -> f.settled().complete(null));
                                }
                            })
                            .onFailure().invoke(e -> {
                                if (settles) {
                                    settleWithBytes(bytesLater, "not-recorded");
                                }
                            });
                })
                .onFailure().invoke(e -> {
                    if (settling.compareAndSet(false, true)) {
                        settleWithBytes(bytesLater, "not-recorded");
                    }
                })
                .eventually(() -> {
                    claimed.forEach(inProgress::remove);
                    firstAttemptsEnded(claimed.size());
                })
                .subscribe().with(updates -> { }, error -> LOG.warnf(
                        "first delivery attempts failed (retried when their leases run out): %s", error.toString()));
    }

    /** The contents of the messages stored without their bytes that a recipient still waits for after these outcomes. */
    private static List<MessageContent> waitedFor(List<FirstAttempt> bytesLater, List<DeliveryUpdate> updates) {
        Set<String> waiting = new HashSet<>();
        for (DeliveryUpdate update : updates) {
            if (update.state() != DeliveryUpdate.State.DELIVERED) {
                waiting.add(update.messageId());
            }
        }
        return bytesLater.stream().map(FirstAttempt::content).filter(c -> waiting.contains(c.messageId())).toList();
    }

    /**
     * Writes the bytes of these messages (retrying while PostgreSQL is away, as the store of their rows did), then
     * settles them; if the store refuses them for good, their records fail (and go to the dead-letter topic).
     */
    private void settleWithBytes(List<FirstAttempt> messages, String reason) {
        storeBytes(messages.stream().map(FirstAttempt::content).toList()).subscribe().with(written -> {
            bytesWritten(reason, written);
            messages.forEach(f -> f.settled().complete(null));
        }, error -> {
            LOG.errorf("the store refuses the bytes of %d messages for good: %s", messages.size(), error);
            messages.forEach(f -> f.settled().completeExceptionally(error));
        });
    }

    /**
     * Writes the bytes of messages whose rows are stored without them, where a recipient still waits for them,
     * retrying while PostgreSQL is away. For a redelivered record: the instance that stored its rows stopped before
     * it delivered the message or wrote its bytes, and until they are written the delivery loop leaves it alone.
     */
    private Uni<Integer> storeBytes(List<MessageContent> contents) {
        return MailStore.retriedWhileItMayPass(store.storeBytes(contents), "the bytes of " + contents.size() + " messages");
    }

    /** As {@link #storeBytes(List)}, for a redelivered record of a message to deliver. */
    public Uni<Void> storeBytesOfRedelivered(NewMessage message) {
        if (message.deliveries().isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return storeBytes(List.of(message.content()))
                .invoke(written -> bytesWritten("redelivered", written))
                .replaceWithVoid();
    }

    /**
     * Runs a round now, or, when {@code gateway.delivery.rounds-in-flight} rounds are already running, right after
     * one of them. Rounds run side by side so that mail stored while one waits for a slow downstream is not held
     * up behind it; their claims never overlap (the store leases with SKIP LOCKED).
     */
    public void wake() {
        synchronized (this) {
            if (rounds >= config.roundsInFlight()) {
                again = true;
                return;
            }
            rounds++;
            again = false;
        }
        store.claimDue(config.batchSize(), config.lease())
                .invoke(inProgress::addAll)
                .chain(claimed -> deliverAll(claimed).eventually(() -> claimed.forEach(inProgress::remove)))
                .subscribe().with(claimed -> finishRound(claimed >= config.batchSize()), error -> {
                    LOG.warnf("delivery round failed (will retry): %s", error.toString());
                    finishRound(false);
                });
    }

    private void finishRound(boolean moreWaiting) {
        boolean wakeAgain;
        synchronized (this) {
            rounds--;
            wakeAgain = moreWaiting || again;
        }
        if (wakeAgain) {
            vertx.runOnContext(v -> wake());
        }
    }

    private Uni<Integer> deliverAll(List<ClaimedDelivery> claimed) {
        if (claimed.isEmpty()) {
            return Uni.createFrom().item(0);
        }
        List<String> ids = claimed.stream().map(ClaimedDelivery::messageId).distinct().toList();
        return contentOf(ids).chain(contents -> attemptAll(claimed, contents)
                .chain(updates -> record(updates, contents, List.of())))
                .replaceWith(claimed.size());
    }

    /**
     * Records these outcomes ({@link MailStore#record}) with the delivery status reports they call for, retrying
     * while PostgreSQL is away: a delivery made while it was away is not made again once it is back. Until then the
     * recipients stay leased to this instance and their leases are renewed. Should a lease run out meanwhile and
     * another attempt take the recipient, its outcome is the one recorded and reported, not this one
     * ({@link DeliveryUpdate#attempt()}). Retried at least every second: the outcomes have to reach the store soon
     * after PostgreSQL is back, before the leases run out.
     */
    private Uni<Void> record(List<DeliveryUpdate> updates, Map<String, MessageContent> contents, List<MessageContent> bytes) {
        Reports reports = new Reports();
        return MailStore.retriedWhileItMayPass(Uni.createFrom().deferred(
                        () -> store.record(updates, recorded -> reports.of(recorded, contents), bytes)),
                        "the outcomes of " + updates.size() + " delivery attempts", Duration.ofSeconds(1))
                .invoke(reports::logQueued).replaceWithVoid();
    }

    /** Attempts every claimed delivery with the given contents: the outcomes, for one transaction. */
    private Uni<List<DeliveryUpdate>> attemptAll(List<ClaimedDelivery> claimed, Map<String, MessageContent> contents) {
        Map<String, List<ClaimedDelivery>> groups = new LinkedHashMap<>();
        for (ClaimedDelivery delivery : claimed) {
            groups.computeIfAbsent(delivery.messageId() + " " + delivery.destination(), k -> new ArrayList<>()).add(delivery);
        }
        List<Uni<List<DeliveryUpdate>>> attempts = new ArrayList<>();
        for (List<ClaimedDelivery> group : groups.values()) {
            MessageContent content = contents.get(group.get(0).messageId());
            // one broken attempt must not hold the others' leases: it is deferred like a failed connection
            attempts.add(Uni.createFrom().deferred(() -> attempt(group, content))
                    .onFailure().recoverWithItem(e -> updates(group, content, group.stream()
                            .map(d -> new RecipientResult(d.recipient(), RecipientResult.Outcome.DEFERRED,
                                    "delivery attempt failed: " + e))
                            .toList())));
        }
        return Uni.join().all(attempts).andCollectFailures()
                .map(lists -> lists.stream().flatMap(List::stream).toList());
    }

    /** The content of these messages: what was just stored here from memory, the rest from the store. */
    private Uni<Map<String, MessageContent>> contentOf(List<String> ids) {
        Map<String, MessageContent> held = recent.take(ids);
        if (held.size() == ids.size()) {
            return Uni.createFrom().item(held);
        }
        return store.loadContent(ids.stream().filter(id -> !held.containsKey(id)).toList()).map(loaded -> {
            Map<String, MessageContent> all = new HashMap<>(loaded);
            all.putAll(held);
            return all;
        });
    }

    /** One message to one next hop (its hosts in order; for an {@code mx} route, those the DNS names now). */
    private Uni<List<DeliveryUpdate>> attempt(List<ClaimedDelivery> group, MessageContent content) {
        ClaimedDelivery first = group.get(0);
        List<String> recipients = group.stream().map(ClaimedDelivery::recipient).toList();
        String label = resolvedDestination(first);
        if (content == null || content.raw() == null || label.equals(NewMessage.NewDelivery.NO_ROUTE)) {
            String why = content == null || content.raw() == null ? "the message bytes are missing from the store"
                    : "no route for this recipient's domain in gateway.delivery.routes";
            return Uni.createFrom().item(updates(group, content, recipients.stream()
                    .map(r -> new RecipientResult(r, RecipientResult.Outcome.DEFERRED, why)).toList()));
        }
        NextHop hop = NextHop.parseLabel(label);
        Uni<MxResolver.Result> hosts = hop instanceof NextHop.Mx lookup
                ? Uni.createFrom().completionStage(() -> mx.resolve(lookup.domain(), lookup.port()).toCompletionStage())
                : Uni.createFrom().item(new MxResolver.Found(((NextHop.Hosts) hop).hosts()));
        return hosts.chain(found -> {
            if (found instanceof MxResolver.NotFound none) {
                RecipientResult.Outcome outcome = none.reply().isTransient()
                        ? RecipientResult.Outcome.DEFERRED : RecipientResult.Outcome.FAILED;
                return Uni.createFrom().item(recipients.stream()
                        .map(r -> new RecipientResult(r, outcome, none.reply().toString())).toList());
            }
            List<Destination> targets = ((MxResolver.Found) found).hosts();
            // the bytes as they are, not a copy: a message may wait a while for a connection, and under load hundreds do
            return Uni.createFrom().completionStage(() -> client.deliver(targets, content.mailFrom(), recipients,
                    Buffer.buffer(Unpooled.wrappedBuffer(content.raw()))).toCompletionStage());
        }).map(results -> {
            for (RecipientResult result : results) {
                registry.counter("gateway.delivery.attempts", "outcome", result.outcome().name()).increment();
                LOG.info("delivery: id=" + first.messageId() + " to=<" + result.recipient() + "> relay=" + label
                        + " outcome=" + result.outcome() + " reply=" + result.reply());
            }
            return updates(group, content, results);
        });
    }

    /**
     * The delivery status reports of one transaction's outcomes, each message's with the same id however often the
     * transaction is tried: a retry after a commit whose answer was lost queues nothing new.
     */
    private final class Reports {
        private final Instant now = clock.instant();
        private final Map<String, String> ids = new HashMap<>();
        /** What the last {@link #of} made, for the log once it is committed. */
        private List<String> made = List.of();

        /**
         * The reports these failures call for (see {@link Bounce#wanted}): one per message, naming every recipient
         * that failed. Each is queued like any other mail, from the null sender, to the original sender's route. A
         * message whose bytes the store does not have gets a report without them.
         */
        List<NewMessage> of(List<DeliveryUpdate> updates, Map<String, MessageContent> contents) {
            Map<String, List<Bounce.Failure>> failedByMessage = new LinkedHashMap<>();
            for (DeliveryUpdate update : updates) {
                if (update.state() == DeliveryUpdate.State.FAILED || update.state() == DeliveryUpdate.State.EXPIRED) {
                    failedByMessage.computeIfAbsent(update.messageId(), id -> new ArrayList<>()).add(new Bounce.Failure(
                            update.recipient(), update.reply(), update.destination(),
                            update.state() == DeliveryUpdate.State.EXPIRED));
                }
            }
            List<NewMessage> reports = new ArrayList<>();
            List<String> lines = new ArrayList<>();
            failedByMessage.forEach((messageId, failures) -> {
                MessageContent content = contents.get(messageId);
                if (content == null || content.envelopeJson() == null) {
                    return;
                }
                Envelope envelope = ContractJson.read(content.envelopeJson().getBytes(StandardCharsets.UTF_8), Envelope.class);
                List<Bounce.Failure> reported = failures.stream().filter(f -> Bounce.wanted(envelope, f.recipient())).toList();
                if (reported.isEmpty()) {
                    return;
                }
                String id = ids.computeIfAbsent(messageId, k -> MessageIds.next());
                Bounce.Report report = Bounce.report(envelope, content.raw(), reported, heloName, id, now);
                Envelope reportEnvelope = new Envelope(id, now, "127.0.0.1", heloName, "ESMTP", "", List.of(report.to()),
                        report.content().length, "queue-service", null, false, true, null, false, null);
                reports.add(new NewMessage(reportEnvelope, new String(ContractJson.write(reportEnvelope), StandardCharsets.UTF_8),
                        new Verdict(Verdict.Action.DELIVER, 0, 0, List.of(), now), "[]", report.content(),
                        "Undelivered mail returned to sender",
                        List.of(new NewMessage.NewDelivery(report.to(), destinationOf(report.to())))));
                lines.add("delivery status report: id=" + id + " about=" + messageId + " to=<" + report.to()
                        + "> recipients=" + reported.size());
            });
            made = lines;
            return reports;
        }

        void logQueued() {
            made.forEach(LOG::info);
        }
    }

    /**
     * Expires the recipients of messages older than the queue lifetime whose bytes never reached the store, and
     * tells their trusted senders, a batch at a time until none is left. Such rows are what decision 0008 leaves when
     * an instance stopped during a first attempt and the message's {@code mail.verdicts} record was never read again
     * (an offset reset, a record past the topic's retention): without bytes the delivery loop never attempts them,
     * and an attempt is what expires mail.
     *
     * @return how many recipients were expired
     */
    public Uni<Integer> expireNeverStored() {
        Reports reports = new Reports();
        return store.expireWithoutBytes(config.retry().maxLifetime(), NEVER_STORED, NEVER_STORED_BATCH, reports::of)
                .invoke(expired -> {
                    reports.logQueued();
                    if (expired > 0) {
                        registry.counter("gateway.delivery.expired.without.bytes").increment(expired);
                        LOG.warnf("expired %d recipients of mail older than %s whose bytes never reached the store",
                                expired, config.retry().maxLifetime());
                    }
                })
                .chain(expired -> expired < NEVER_STORED_BATCH ? Uni.createFrom().item(expired)
                        : expireNeverStored().map(more -> expired + more));
    }

    /** The stored next hop, or (for a released message or a recipient that had no route) the current one. */
    private String resolvedDestination(ClaimedDelivery claimed) {
        return claimed.destination().equals(NewMessage.NewDelivery.NO_ROUTE) ? destinationOf(claimed.recipient())
                : claimed.destination();
    }

    private List<DeliveryUpdate> updates(List<ClaimedDelivery> group, MessageContent content, List<RecipientResult> results) {
        Instant now = clock.instant();
        List<DeliveryUpdate> updates = new ArrayList<>();
        for (int i = 0; i < group.size(); i++) {
            ClaimedDelivery claimed = group.get(i);
            RecipientResult result = results.get(i);
            DeliveryUpdate.State state = switch (result.outcome()) {
                case DELIVERED -> DeliveryUpdate.State.DELIVERED;
                case FAILED -> DeliveryUpdate.State.FAILED;
                case DEFERRED -> content != null
                        && now.isAfter(content.receivedAt().plus(config.retry().maxLifetime()))
                        ? DeliveryUpdate.State.EXPIRED : DeliveryUpdate.State.DEFERRED;
            };
            Instant next = state == DeliveryUpdate.State.DEFERRED
                    ? now.plus(backoff.afterAttempts(claimed.attempts(), ThreadLocalRandom.current())) : null;
            updates.add(new DeliveryUpdate(claimed.messageId(), claimed.recipient(), state, next, result.reply(),
                    resolvedDestination(claimed), claimed.attempts()));
        }
        return updates;
    }

}
