package org.mailgateway.policy.messaging;

import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;
import org.mailgateway.policy.behaviour.BehaviourStore;

/**
 * Keeps the per-IP windows in step with the partitions this instance owns. A partition that is revoked and not
 * assigned back (or lost) takes its IPs' windows with it: the new owner starts them empty. What a rebalance loses
 * is therefore at most one window length of counts for the moved IPs; an attacker who keeps going is counted again
 * from zero and crosses the thresholds a window later at most.
 */
@ApplicationScoped
@Identifier("policy-partitions")
public class PartitionListener implements KafkaConsumerRebalanceListener {

    private static final Logger LOG = Logger.getLogger(PartitionListener.class);

    private final BehaviourStore behaviour;
    private final Set<Integer> revoked = new HashSet<>();

    public PartitionListener(BehaviourStore behaviour) {
        this.behaviour = behaviour;
    }

    @Override
    public synchronized void onPartitionsRevoked(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        partitions.forEach(p -> revoked.add(p.partition()));
    }

    @Override
    public synchronized void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        partitions.forEach(p -> revoked.remove(p.partition()));
        if (!revoked.isEmpty()) {
            int forgotten = behaviour.forgetPartitions(revoked);
            LOG.infof("partitions %s moved to another instance: forgot the windows of %d IPs", revoked, forgotten);
            revoked.clear();
        }
    }

    @Override
    public synchronized void onPartitionsLost(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        Set<Integer> lost = new HashSet<>();
        partitions.forEach(p -> lost.add(p.partition()));
        int forgotten = behaviour.forgetPartitions(lost);
        LOG.infof("partitions %s lost: forgot the windows of %d IPs", lost, forgotten);
    }
}
