package org.mailgateway.smtp.codec;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** The name this machine announces in SMTP (banner, EHLO) when no name is configured. */
public final class LocalHostname {

    private LocalHostname() {
    }

    public static String get() {
        try {
            return InetAddress.getLocalHost().getCanonicalHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
