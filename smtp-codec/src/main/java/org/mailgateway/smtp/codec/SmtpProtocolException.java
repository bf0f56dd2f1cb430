package org.mailgateway.smtp.codec;

/** The peer broke the SMTP protocol in a way that leaves no sensible reply: the connection must end. */
public class SmtpProtocolException extends RuntimeException {

    public SmtpProtocolException(String message) {
        super(message);
    }
}
