package org.mailgateway.ingress.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class SaslAndCredentialsTest {

    @Test
    void plainWithAnInitialResponse() {
        SaslExchange.Credentials c = assertInstanceOf(SaslExchange.Credentials.class,
                SaslExchange.start("PLAIN " + b64("\0alice\0s3cret")));

        assertEquals("alice", c.user());
        assertEquals("s3cret", c.password());
    }

    @Test
    void plainAfterAnEmptyChallengeAndLoginInTwoSteps() {
        SaslExchange.Challenge first = assertInstanceOf(SaslExchange.Challenge.class, SaslExchange.start("plain"));
        assertEquals("", first.challenge());
        assertInstanceOf(SaslExchange.Credentials.class, first.next().respond(b64("alice\0alice\0pw")));

        SaslExchange.Challenge user = assertInstanceOf(SaslExchange.Challenge.class, SaslExchange.start("LOGIN"));
        assertEquals("Username:", new String(Base64.getDecoder().decode(user.challenge()), StandardCharsets.US_ASCII));
        SaslExchange.Challenge password = assertInstanceOf(SaslExchange.Challenge.class, user.next().respond(b64("alice")));
        SaslExchange.Credentials c = assertInstanceOf(SaslExchange.Credentials.class, password.next().respond(b64("pw")));
        assertEquals("LOGIN", c.mechanism());
        assertEquals("alice", c.user());
    }

    @Test
    void failures() {
        assertEquals(504, ((SaslExchange.Failed) SaslExchange.start("CRAM-MD5")).code());
        assertEquals(501, ((SaslExchange.Failed) SaslExchange.start("PLAIN !!!")).code());
        assertEquals(501, ((SaslExchange.Failed) SaslExchange.start("PLAIN " + b64("no separators"))).code());
        assertEquals(535, ((SaslExchange.Failed) SaslExchange.start("PLAIN " + b64("bob\0alice\0pw"))).code());
        SaslExchange.Challenge c = (SaslExchange.Challenge) SaslExchange.start("LOGIN");
        assertEquals(501, ((SaslExchange.Failed) c.next().respond("*")).code());
    }

    @Property(tries = 1000)
    void noClientInputMakesItThrow(@ForAll String argument, @ForAll String response) {
        SaslExchange.Step step = SaslExchange.start(argument);
        if (step instanceof SaslExchange.Challenge challenge) {
            challenge.next().respond(response);
        }
    }

    @Test
    void credentialsAreCheckedAgainstSaltedHashes() {
        String line = "alice:" + PasswordHash.create("correct horse", 10_000);
        CredentialStore store = CredentialStore.parse(List.of("# users", "", line), "test");

        assertTrue(store.verify("alice", "correct horse"));
        assertFalse(store.verify("alice", "correct horse "));
        assertFalse(store.verify("bob", "correct horse"));
        assertFalse(line.contains("correct horse"));
    }

    @Test
    void aBrokenCredentialsLineIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CredentialStore.parse(List.of("alice:plaintext-password"), "users.txt"));
        assertTrue(e.getMessage().startsWith("users.txt line 1: "), e.getMessage());
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
}
