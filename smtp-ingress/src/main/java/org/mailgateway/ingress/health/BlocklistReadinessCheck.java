package org.mailgateway.ingress.health;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.mailgateway.ingress.access.BlocklistConsumer;

/**
 * Ready only once the block list has been read to the end it had at start: a new pod must not let a blocked
 * client in just because it has not read the list yet.
 */
@Readiness
@ApplicationScoped
public class BlocklistReadinessCheck implements HealthCheck {

    private final BlocklistConsumer blocklist;

    public BlocklistReadinessCheck(BlocklistConsumer blocklist) {
        this.blocklist = blocklist;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("blocklist").status(blocklist.caughtUp())
                .withData("entries", blocklist.accessList().size()).build();
    }
}
