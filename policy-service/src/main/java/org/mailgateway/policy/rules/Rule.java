package org.mailgateway.policy.rules;

import java.util.List;
import org.mailgateway.contracts.RuleHit;

/** One scoring rule. Pure: same facts, same hits. A hit explains itself in a sentence a person understands. */
public interface Rule {

    /** The hits this rule has on the message; empty when it does not match (or its score is 0). */
    List<RuleHit> evaluate(MessageFacts facts);
}
