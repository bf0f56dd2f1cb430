package org.mailgateway.systemtests;

import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.mail.Address;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.angus.mail.smtp.SMTPTransport;

/** A real SMTP client (Angus Mail) sending one message to the gateway, as the system tests' mail users do. */
final class SmtpSubmission {

    /** The gateway's message id in its reply to the end of DATA: "250 2.0.0 Ok: queued as ID". */
    static final Pattern QUEUED_AS = Pattern.compile("queued as ([0-9A-Z]{26})");

    private SmtpSubmission() {
    }

    /** Sends the bytes as they are (no header rewriting) and returns the id from "250 ... queued as ID". */
    static String send(int port, String clientAddress, String heloName, byte[] bytes, String recipient)
            throws MessagingException {
        return send(port, clientAddress, heloName, bytes, recipient, Duration.ofSeconds(10), Duration.ofSeconds(60));
    }

    static String send(int port, String clientAddress, String heloName, byte[] bytes, String recipient,
            Duration connectTimeout, Duration timeout) throws MessagingException {
        Properties props = new Properties();
        props.put("mail.smtp.host", "127.0.0.1");
        props.put("mail.smtp.port", Integer.toString(port));
        props.put("mail.smtp.localaddress", clientAddress);
        props.put("mail.smtp.localhost", heloName);
        props.put("mail.smtp.connectiontimeout", Long.toString(connectTimeout.toMillis()));
        props.put("mail.smtp.timeout", Long.toString(timeout.toMillis()));
        Session session = Session.getInstance(props);
        MimeMessage message = new MimeMessage(session, new ByteArrayInputStream(bytes));
        try (SMTPTransport transport = (SMTPTransport) session.getTransport("smtp")) {
            transport.connect();
            transport.sendMessage(message, new Address[] {new InternetAddress(recipient)});
            Matcher m = QUEUED_AS.matcher(transport.getLastServerResponse());
            assertTrue(m.find(), transport.getLastServerResponse());
            return m.group(1);
        }
    }
}
