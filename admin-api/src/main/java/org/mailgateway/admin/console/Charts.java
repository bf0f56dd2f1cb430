package org.mailgateway.admin.console;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import org.mailgateway.admin.service.TrafficService;
import org.mailgateway.admin.store.ClientStore;

/**
 * The geometry of the console's charts, computed here and drawn by the template as inline SVG (no script, no
 * library): the template only places rectangles, lines and texts, escaped like any other text.
 */
public final class Charts {

    static final DateTimeFormatter HOUR = DateTimeFormatter.ofPattern("HH:mm").withZone(ZoneOffset.UTC);
    static final DateTimeFormatter DAY_HOUR = DateTimeFormatter.ofPattern("d MMM HH:mm").withZone(ZoneOffset.UTC);

    private Charts() {
    }

    /** A rectangle; {@code css} picks its colour in console.css; {@code href} (or null) makes it a link. */
    public record Rect(double x, double y, double width, double height, String css, String title, String href) {
    }

    /** A text at (x, y); {@code anchor} is start, middle or end. */
    public record Label(double x, double y, String text, String anchor, String href) {
    }

    public record Line(double x1, double y1, double x2, double y2) {
    }

    /** One series' colour and name, for the legend. */
    public record Key(String css, String name) {
    }

    /** A whole chart: its size, what to draw, and one sentence saying what it shows (the SVG's title). */
    public record Chart(int width, int height, String description, List<Rect> bars, List<Label> labels, List<Line> grid,
            List<Key> legend, boolean empty) {
    }

    private static final int WIDTH = 960;
    private static final int LEFT = 48;
    private static final int RIGHT = 12;
    private static final int TOP = 12;
    private static final int BOTTOM = 28;

    /** Stacked bars, one per hour: delivered at the bottom, then released, then quarantined. */
    static Chart mailPerHour(List<TrafficService.Hour> hours) {
        int height = 260;
        double plotHeight = height - TOP - BOTTOM;
        long max = hours.stream().mapToLong(TrafficService.Hour::total).max().orElse(0);
        long step = niceCeiling((max + 3) / 4);
        long top = 4 * step;
        double slot = (double) (WIDTH - LEFT - RIGHT) / Math.max(1, hours.size());
        double barWidth = Math.max(1, slot * 0.8);
        List<Rect> bars = new ArrayList<>();
        List<Label> labels = new ArrayList<>();
        List<Line> grid = new ArrayList<>();
        for (int line = 0; line <= 4; line++) {
            long value = step * line;
            double y = TOP + plotHeight - plotHeight * line / 4;
            grid.add(new Line(LEFT, round(y), WIDTH - RIGHT, round(y)));
            labels.add(new Label(LEFT - 6, round(y + 4), Long.toString(value), "end", null));
        }
        for (int i = 0; i < hours.size(); i++) {
            TrafficService.Hour h = hours.get(i);
            double x = LEFT + i * slot + (slot - barWidth) / 2;
            String title = DAY_HOUR.format(h.hour()) + " UTC: " + h.delivered() + " delivered, " + h.released() + " released, "
                    + h.quarantined() + " quarantined";
            double y = TOP + plotHeight;
            long[] values = {h.delivered(), h.released(), h.quarantined()};
            String[] css = {"delivered", "released", "quarantined"};
            for (int s = 0; s < values.length; s++) {
                if (values[s] == 0) {
                    continue;
                }
                double barHeight = plotHeight * values[s] / top;
                y -= barHeight;
                bars.add(new Rect(round(x), round(y), round(barWidth), round(barHeight), css[s], title, null));
            }
            if (i % 6 == 0) {
                labels.add(new Label(round(x + barWidth / 2), height - 8, HOUR.format(h.hour()), "middle", null));
            }
        }
        String description = "Mail received per hour (UTC) by verdict, the last " + hours.size() + " hours";
        return new Chart(WIDTH, height, description, bars, labels, grid,
                List.of(new Key("delivered", "delivered"), new Key("released", "released from quarantine"),
                        new Key("quarantined", "quarantined")),
                max == 0);
    }

    /** One horizontal bar per client address, longest first, each a link to the address's page. */
    static Chart relayAttempts(List<ClientStore.TopRow> clients) {
        List<ClientStore.TopRow> shown = clients.stream().filter(c -> c.relayAttempts() > 0).toList();
        int row = 26;
        int labelWidth = 190;
        int height = TOP + Math.max(1, shown.size()) * row + 8;
        long max = shown.stream().mapToLong(ClientStore.TopRow::relayAttempts).max().orElse(0);
        double plotWidth = WIDTH - labelWidth - 80;
        List<Rect> bars = new ArrayList<>();
        List<Label> labels = new ArrayList<>();
        for (int i = 0; i < shown.size(); i++) {
            ClientStore.TopRow c = shown.get(i);
            String href = "/console/clients/" + c.ip();
            double y = TOP + i * row;
            double width = Math.max(1, plotWidth * c.relayAttempts() / max);
            bars.add(new Rect(labelWidth, y, round(width), row - 8, "relay", c.ip() + ": " + c.relayAttempts()
                    + " relay attempts in " + c.sessions() + " sessions", href));
            labels.add(new Label(labelWidth - 8, y + row - 13, c.ip(), "end", href));
            labels.add(new Label(round(labelWidth + width + 6), y + row - 13, Long.toString(c.relayAttempts()), "start", null));
        }
        return new Chart(WIDTH, height, "Client addresses by relay attempts", bars, labels, List.of(),
                List.of(new Key("relay", "relay attempts")), shown.isEmpty());
    }

    /** The smallest of 1, 2, 5 × 10^n that is at least {@code value} (at least 1). */
    static long niceCeiling(long value) {
        long magnitude = 1;
        while (true) {
            for (long m : new long[] {1, 2, 5}) {
                if (m * magnitude >= value) {
                    return Math.max(1, m * magnitude);
                }
            }
            magnitude *= 10;
        }
    }

    private static double round(double value) {
        return Math.round(value * 10) / 10.0;
    }
}
