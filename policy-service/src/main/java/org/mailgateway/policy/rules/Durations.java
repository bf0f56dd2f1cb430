package org.mailgateway.policy.rules;

import java.time.Duration;

/** Durations as people say them in a sentence: "10 minutes", "1 hour", "90 seconds", "2 days". */
public final class Durations {

    private Durations() {
    }

    public static String words(Duration d) {
        long seconds = d.getSeconds();
        if (seconds != 0 && seconds % 86_400 == 0) {
            return plural(seconds / 86_400, "day");
        }
        if (seconds != 0 && seconds % 3600 == 0) {
            return plural(seconds / 3600, "hour");
        }
        if (seconds != 0 && seconds % 60 == 0) {
            return plural(seconds / 60, "minute");
        }
        return plural(seconds, "second");
    }

    private static String plural(long n, String unit) {
        return n + " " + unit + (n == 1 ? "" : "s");
    }
}
