package dev.aimesh.bench.sidebyside;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

/** A PNG of latency percentiles per system, one panel per open-loop scenario, so the comparison reads at a glance. */
final class LatencyChart {
    private static final double[] PERCENTILES = {50, 90, 99, 99.9};
    private static final Color[] COLORS = {new Color(0x9e9e9e), new Color(0x1f77b4), new Color(0x2ca02c), new Color(0xff7f0e),
            new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2)};
    private static final int PANEL_W = 620;
    private static final int H = 420;

    private LatencyChart() {}

    static void write(Results results, Path file) throws IOException {
        System.setProperty("java.awt.headless", "true");
        List<Scenario> scenarios = Scenario.LATENCY.stream().filter(s -> results.latency.containsKey(s.id())).toList();
        BufferedImage image = new BufferedImage(Math.max(1, scenarios.size()) * PANEL_W, H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, image.getWidth(), H);
        for (int i = 0; i < scenarios.size(); i++) {
            panel(g, results, scenarios.get(i), i * PANEL_W);
        }
        g.dispose();
        ImageIO.write(image, "png", file.toFile());
    }

    private static void panel(Graphics2D g, Results results, Scenario s, int x0) {
        Map<String, List<Results.LatencyRun>> bySystem = results.latency.get(s.id());
        List<String> systems = new ArrayList<>(bySystem.keySet());
        double[][] v = new double[systems.size()][PERCENTILES.length];
        double max = 0;
        for (int i = 0; i < systems.size(); i++) {
            for (int q = 0; q < PERCENTILES.length; q++) {
                double pct = PERCENTILES[q];
                v[i][q] = results.latency(s.id(), systems.get(i), run -> run.load().percentileMillis(pct)).median();
                max = Math.max(max, Double.isNaN(v[i][q]) ? 0 : v[i][q]);
            }
        }
        double top = niceCeiling(max);
        int left = x0 + 60;
        int right = x0 + PANEL_W - 20;
        int base = H - 70;
        int ceiling = 60;
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        g.drawString("Latency, " + s.protocol().label() + ", " + s.bodyLabel() + " (ms, median of runs)", x0 + 60, 30);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        for (int t = 0; t <= 5; t++) {
            int y = base - (base - ceiling) * t / 5;
            g.setColor(new Color(0xdddddd));
            g.setStroke(new BasicStroke(1));
            g.drawLine(left, y, right, y);
            g.setColor(Color.DARK_GRAY);
            g.drawString("%.2f".formatted(top * t / 5), x0 + 15, y + 4);
        }
        int groupW = (right - left) / PERCENTILES.length;
        int barW = Math.max(4, (groupW - 20) / Math.max(1, systems.size()));
        for (int q = 0; q < PERCENTILES.length; q++) {
            int gx = left + q * groupW + 10;
            for (int i = 0; i < systems.size(); i++) {
                if (Double.isNaN(v[i][q])) {
                    continue;
                }
                int h = (int) Math.round((base - ceiling) * v[i][q] / top);
                g.setColor(COLORS[i % COLORS.length]);
                g.fillRect(gx + i * barW, base - h, barW - 2, h);
            }
            g.setColor(Color.BLACK);
            String label = "p" + (PERCENTILES[q] == 99.9 ? "99.9" : Integer.toString((int) PERCENTILES[q]));
            g.drawString(label, gx + (barW * systems.size()) / 2 - 10, base + 16);
        }
        g.drawLine(left, base, right, base);
        int lx = left;
        for (int i = 0; i < systems.size(); i++) {
            g.setColor(COLORS[i % COLORS.length]);
            g.fillRect(lx, H - 35, 12, 12);
            g.setColor(Color.BLACK);
            g.drawString(systems.get(i), lx + 16, H - 25);
            lx += 24 + g.getFontMetrics().stringWidth(systems.get(i));
        }
    }

    private static double niceCeiling(double max) {
        if (max <= 0) {
            return 1;
        }
        double magnitude = Math.pow(10, Math.floor(Math.log10(max)));
        for (double step : new double[] {1, 2, 2.5, 5, 10}) {
            if (step * magnitude >= max) {
                return step * magnitude;
            }
        }
        return 10 * magnitude;
    }
}
