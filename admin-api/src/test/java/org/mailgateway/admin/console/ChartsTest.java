package org.mailgateway.admin.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.mailgateway.admin.service.TrafficService;
import org.mailgateway.admin.store.ClientStore;

class ChartsTest {

    private static final Instant H0 = Instant.parse("2026-11-28T00:00:00Z");

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"0, 1", "1, 1", "2, 2", "3, 5", "5, 5", "6, 10", "11, 20", "20, 20", "21, 50", "999, 1000"})
    void niceCeilingIsTheNextOneTwoOrFive(long value, long expected) {
        assertEquals(expected, Charts.niceCeiling(value));
    }

    @Test
    void barsStackByVerdictAndScaleToTheLargestHour() {
        List<TrafficService.Hour> hours = List.of(new TrafficService.Hour(H0, 2, 1, 1), new TrafficService.Hour(H0.plusSeconds(3600), 0, 0, 0),
                new TrafficService.Hour(H0.plusSeconds(7200), 8, 0, 0));
        Charts.Chart chart = Charts.mailPerHour(hours);
        // 8 at most: gridlines every 2, the top at 8 = the full plot height (220)
        assertEquals(List.of("delivered", "released", "quarantined", "delivered"), chart.bars().stream().map(Charts.Rect::css).toList());
        assertEquals(220.0, chart.bars().get(3).height());
        assertEquals(55.0, chart.bars().get(0).height());
        Charts.Rect delivered = chart.bars().get(0);
        Charts.Rect released = chart.bars().get(1);
        assertEquals(delivered.y(), released.y() + released.height(), 0.11, "released sits on delivered");
        assertTrue(chart.bars().get(0).title().contains("2 delivered, 1 released, 1 quarantined"));
        assertEquals(List.of("0", "2", "4", "6", "8"),
                chart.labels().stream().filter(l -> l.anchor().equals("end")).map(Charts.Label::text).toList());
    }

    @Test
    void anEmptyDayIsSaidToBeEmpty() {
        Charts.Chart chart = Charts.mailPerHour(List.of(new TrafficService.Hour(H0, 0, 0, 0)));
        assertTrue(chart.empty());
        assertTrue(chart.bars().isEmpty());
    }

    @Test
    void relayBarsLinkToTheClientAndLeaveOutClientsWithoutAttempts() {
        Charts.Chart chart = Charts.relayAttempts(List.of(row("203.0.113.7", 40), row("203.0.113.8", 10), row("198.51.100.1", 0)));
        assertEquals(2, chart.bars().size());
        assertEquals("/console/clients/203.0.113.7", chart.bars().get(0).href());
        assertEquals(chart.bars().get(0).width() / 4, chart.bars().get(1).width(), 0.1);
    }

    private static ClientStore.TopRow row(String ip, long relayAttempts) {
        return new ClientStore.TopRow(ip, 0, 5, relayAttempts, 0, 0, 0, 1, H0);
    }
}
