package org.mailgateway.systemtests;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.mailgateway.localstack.testing.SmtpDialogue;

/**
 * Steady clean mail for fault tests: one sender thread per client address, each sending numbered messages one
 * connection at a time, as fast as the gateway answers. It keeps what the gateway acknowledged with 250 (those
 * must never be lost) apart from what it refused with 4xx (those stay with the client).
 */
final class MailLoad implements AutoCloseable {

    private final int port;
    private final Duration pace;
    private final String subjectPrefix;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicInteger sequence = new AtomicInteger();
    private final List<String> accepted = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger tempFailed = new AtomicInteger();
    private final AtomicInteger connectionErrors = new AtomicInteger();
    private final List<Thread> senders = new ArrayList<>();

    /**
     * @param pace what each sender waits between two messages: a steady rate rather than the most the machine
     *             can do (the fault tests count every message downstream)
     */
    MailLoad(int port, String subjectPrefix, List<String> clientAddresses, Duration pace) {
        this.port = port;
        this.pace = pace;
        this.subjectPrefix = subjectPrefix;
        for (String address : clientAddresses) {
            Thread sender = new Thread(() -> sendUntilClosed(address), "mail-load-" + address);
            sender.setDaemon(true);
            senders.add(sender);
        }
        senders.forEach(Thread::start);
    }

    /** The subject of message {@code n}: unique, and a prefix of no other subject. */
    String subject(int n) {
        return subjectPrefix + " " + n + ".";
    }

    private void sendUntilClosed(String clientAddress) {
        while (running.get()) {
            int n = sequence.incrementAndGet();
            try (SmtpDialogue smtp = SmtpDialogue.connect(clientAddress, port)) {
                smtp.expect(220).send("EHLO load.example.org").expect(250)
                        .send("MAIL FROM:<load@example.org>").expect(250)
                        .send("RCPT TO:<b@example.test>").expect(250)
                        .send("DATA").expect(354)
                        .sendRaw("From: load@example.org\r\nTo: b@example.test\r\nSubject: " + subject(n)
                                + "\r\n\r\nsteady mail\r\n.\r\n");
                int code = smtp.readReply().code();
                if (code == 250) {
                    accepted.add(subject(n));
                } else if (code / 100 == 4) {
                    tempFailed.incrementAndGet();
                }
                smtp.send("QUIT");
                pause(pace);
            } catch (RuntimeException | AssertionError refusedOrDropped) {
                // a refused connection or a 4xx before DATA: the message was never the gateway's
                connectionErrors.incrementAndGet();
                pause(Duration.ofMillis(100)); // a client backs off before trying again
            }
        }
    }

    private static void pause(Duration pause) {
        try {
            Thread.sleep(pause.toMillis()); // the client's rhythm; nothing to await here
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    List<String> accepted() {
        synchronized (accepted) {
            return List.copyOf(accepted);
        }
    }

    int acceptedCount() {
        return accepted.size();
    }

    int tempFailed() {
        return tempFailed.get();
    }

    int connectionErrors() {
        return connectionErrors.get();
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        for (Thread sender : senders) {
            sender.join(120_000);
        }
    }
}
