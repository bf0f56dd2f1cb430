package org.mailgateway.queue.delivery;

import org.mailgateway.smtp.codec.SmtpReply;

/** The server refused the whole connection (greeting or HELO): its reply is every recipient's outcome. */
final class SmtpRefusalException extends Exception {

    final transient SmtpReply reply;

    SmtpRefusalException(SmtpReply reply) {
        super(reply.toString(), null, false, false);
        this.reply = reply;
    }
}
