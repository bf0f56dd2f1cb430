package org.mailgateway.queue.service;

import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.mailgateway.queue.store.MessageContent;

/**
 * The content of messages this instance has just stored for delivery, kept in memory for their first delivery
 * attempt, so that the attempt needs no read of the bytes it wrote a moment before. Only a shortcut: the store
 * stays the source of truth, and whatever is not here (another instance stored it, it was evicted, this is a
 * retry or a release) is read from the store as before.
 *
 * <p>Bounded by bytes: past the bound the oldest entries go first. An entry is taken out when a delivery round
 * uses it, whatever the outcome; a retry reads the store. Thread-safe.
 */
final class RecentContent {

    private final long maxBytes;
    /** Oldest first; guarded by {@code this}. */
    private final LinkedHashMap<String, MessageContent> byId = new LinkedHashMap<>();
    /** The bytes of the messages in {@link #byId}; guarded by {@code this}. */
    private long bytes;

    /** @param maxBytes at most this many message bytes are held; 0 keeps nothing */
    RecentContent(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** Keeps a stored message's content (a message larger than the whole bound is not kept). */
    synchronized void put(MessageContent content) {
        long size = content.raw().length;
        if (maxBytes <= 0 || size > maxBytes || byId.containsKey(content.messageId())) {
            return;
        }
        Iterator<MessageContent> oldest = byId.values().iterator();
        while (bytes + size > maxBytes) {
            bytes -= oldest.next().raw().length;
            oldest.remove();
        }
        byId.put(content.messageId(), content);
        bytes += size;
    }

    /** Takes out and returns the contents held for these ids; the ids it does not hold are not in the result. */
    synchronized Map<String, MessageContent> take(Collection<String> messageIds) {
        Map<String, MessageContent> found = new HashMap<>();
        for (String id : messageIds) {
            MessageContent content = byId.remove(id);
            if (content != null) {
                bytes -= content.raw().length;
                found.put(id, content);
            }
        }
        return found;
    }

    /** The message bytes held now. */
    synchronized long bytes() {
        return bytes;
    }
}
