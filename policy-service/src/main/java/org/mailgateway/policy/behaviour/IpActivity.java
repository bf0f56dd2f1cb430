package org.mailgateway.policy.behaviour;

import java.time.Duration;

/**
 * What one client IP did within the sliding window, as counted from {@code smtp.sessions} and
 * {@code mail.inbound}: the numbers the behaviour rules compare with their thresholds.
 *
 * @param ip                  the client IP
 * @param window              how far back the counts reach
 * @param sessions            sessions that ended (refused-at-connect sessions are not counted)
 * @param sessionsWithoutMail of which sent no message (probing, dictionary attacks)
 * @param relayAttempts       recipients refused because they were outside the accepted domains
 * @param authFailures        failed AUTH attempts
 * @param messages            accepted messages
 * @param recipients          accepted recipients, summed over the messages
 * @param heloNames           distinct HELO/EHLO names announced
 * @param latestHelo          the HELO name of the record that was just counted (for the sentence), or null
 */
public record IpActivity(String ip, Duration window, int sessions, int sessionsWithoutMail, int relayAttempts,
        int authFailures, int messages, int recipients, int heloNames, String latestHelo) {

    /** Nothing known about {@code ip}. */
    public static IpActivity none(String ip, Duration window) {
        return new IpActivity(ip, window, 0, 0, 0, 0, 0, 0, 0, null);
    }
}
