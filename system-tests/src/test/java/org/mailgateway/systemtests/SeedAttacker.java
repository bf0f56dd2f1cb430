package org.mailgateway.systemtests;

import org.mailgateway.localstack.testing.SmtpDialogue;

/**
 * The client the gateway was built against: from one address, session after session, each with a new HELO
 * name and a relay attempt.
 */
final class SeedAttacker {

    private final String address;

    SeedAttacker(String address) {
        this.address = address;
    }

    /** One attack session: EHLO with a fresh name, a relay attempt, QUIT. Returns the greeting it got. */
    SmtpDialogue.Reply session(int n, int port) {
        try (SmtpDialogue attacker = SmtpDialogue.connect(address, port)) {
            SmtpDialogue.Reply greeting = attacker.readReply();
            if (greeting.code() != 220) {
                return greeting;
            }
            attacker.send("EHLO love-" + n + ".example").expect(250)
                    .send("MAIL FROM:<offers@spam.example>").expect(250)
                    .send("RCPT TO:<victim" + n + "@elsewhere.test>").expect(554, "5.7.1")
                    .send("QUIT").expect(221);
            return greeting;
        }
    }

    /** Connects, reads the greeting and leaves politely when let in. */
    SmtpDialogue.Reply knock(int port) {
        try (SmtpDialogue dialogue = SmtpDialogue.connect(address, port)) {
            SmtpDialogue.Reply greeting = dialogue.readReply();
            if (greeting.code() == 220) {
                dialogue.send("QUIT").expect(221);
            }
            return greeting;
        }
    }
}
