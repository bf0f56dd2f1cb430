package org.mailgateway.policy.messaging;

import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;
import org.mailgateway.contracts.BlockEntry;
import org.mailgateway.contracts.ContractJson;
import org.mailgateway.contracts.MalformedRecordException;
import org.mailgateway.policy.blocking.BlocklistView;

/**
 * Reads {@code policy.blocklist} from its beginning at every start (a group of its own per instance): allow
 * entries that veto automatic blocks, blocks already in force, and the history repeat offences escalate from.
 */
@ApplicationScoped
public class BlocklistReader {

    private static final Logger LOG = Logger.getLogger(BlocklistReader.class);

    private final BlocklistView view;

    public BlocklistReader(BlocklistView view) {
        this.view = view;
    }

    @Incoming("policy-blocklist")
    public void read(ConsumerRecord<String, byte[]> record) {
        if (record.key() == null) {
            return;
        }
        if (record.value() == null) {
            view.apply(record.key(), null);
            return;
        }
        try {
            view.apply(record.key(), ContractJson.read(record.value(), BlockEntry.class));
        } catch (MalformedRecordException e) {
            LOG.warnf("unreadable block entry for %s skipped: %s", record.key(), e.getMessage());
        }
    }
}
