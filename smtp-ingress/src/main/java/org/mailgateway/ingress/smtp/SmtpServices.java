package org.mailgateway.ingress.smtp;

import org.mailgateway.ingress.access.AccessList;
import org.mailgateway.ingress.access.ConnectionLimiter;
import org.mailgateway.ingress.messaging.InboundPublisher;
import org.mailgateway.ingress.messaging.SessionPublisher;

/**
 * What a connection works with besides its settings: where accepted mail and session summaries go, the
 * block list, the connection counts, the metrics, and the set of open connections (for shutdown).
 */
record SmtpServices(
        InboundPublisher mail,
        SessionPublisher sessions,
        AccessList accessList,
        ConnectionLimiter limiter,
        IngressMetrics metrics,
        OpenConnections open,
        String ingressName) {
}
