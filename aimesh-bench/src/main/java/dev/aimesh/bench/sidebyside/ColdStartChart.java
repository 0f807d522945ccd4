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

/**
 * A PNG of each system's cold start: per-second p99 (solid) and p50 (dashed) on a log scale over the seconds since
 * the pair was ready, a red mark on every second with failed requests.
 */
final class ColdStartChart {
    private static final Color[] COLORS = {new Color(0x1f77b4), new Color(0x2ca02c), new Color(0xff7f0e), new Color(0x9467bd),
            new Color(0x8c564b), new Color(0xe377c2)};
    private static final int W = 1000;
    private static final int H = 480;
    private static final int LEFT = 70;
    private static final int RIGHT = W - 20;
    private static final int TOP = 50;
    private static final int BASE = H - 80;

    private ColdStartChart() {}

    static void write(Results results, Path file) throws IOException {
        System.setProperty("java.awt.headless", "true");
        BufferedImage image = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, W, H);
        Map<String, ColdStart> runs = results.coldStarts;
        int seconds = runs.values().stream().mapToInt(c -> c.seconds().size()).max().orElse(1);
        double min = Double.MAX_VALUE;
        double max = 0;
        for (ColdStart c : runs.values()) {
            for (ColdStart.Second s : c.seconds()) {
                for (double v : new double[] {s.p50Millis(), s.p99Millis()}) {
                    if (!Double.isNaN(v) && v > 0) {
                        min = Math.min(min, v);
                        max = Math.max(max, v);
                    }
                }
            }
        }
        double lo = Math.pow(10, Math.floor(Math.log10(min == Double.MAX_VALUE ? 0.1 : min)));
        double hi = Math.pow(10, Math.ceil(Math.log10(Math.max(max, lo * 10))));
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        g.drawString("Cold start: per-second p99 (solid) and p50 (dashed), ms, log scale; red: seconds with failures", LEFT, 30);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        for (double t = lo; t <= hi * 1.0001; t *= 10) {
            int y = y(t, lo, hi);
            g.setColor(new Color(0xdddddd));
            g.drawLine(LEFT, y, RIGHT, y);
            g.setColor(Color.DARK_GRAY);
            g.drawString(t >= 1 ? "%.0f".formatted(t) : "%s".formatted(t), 10, y + 4);
        }
        int step = Math.max(1, seconds / 12);
        for (int s = 0; s < seconds; s += step) {
            g.setColor(Color.DARK_GRAY);
            g.drawString(s + " s", x(s, seconds) - 8, BASE + 16);
        }
        g.setColor(Color.BLACK);
        g.drawLine(LEFT, BASE, RIGHT, BASE);
        int i = 0;
        int lx = LEFT;
        for (var e : runs.entrySet()) {
            Color color = COLORS[i++ % COLORS.length];
            line(g, e.getValue().seconds(), seconds, lo, hi, color, true);
            line(g, e.getValue().seconds(), seconds, lo, hi, color, false);
            g.setColor(Color.RED);
            for (ColdStart.Second s : e.getValue().seconds()) {
                if (s.failed() > 0) {
                    g.fillOval(x(s.second(), seconds) - 3, BASE - 8, 6, 6);
                }
            }
            g.setColor(color);
            g.fillRect(lx, H - 35, 12, 12);
            g.setColor(Color.BLACK);
            g.drawString(e.getKey(), lx + 16, H - 25);
            lx += 24 + g.getFontMetrics().stringWidth(e.getKey());
        }
        g.dispose();
        ImageIO.write(image, "png", file.toFile());
    }

    private static void line(Graphics2D g, List<ColdStart.Second> secs, int seconds, double lo, double hi, Color color, boolean p99) {
        g.setColor(color);
        g.setStroke(p99 ? new BasicStroke(2) : new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {6, 4}, 0));
        List<int[]> points = new ArrayList<>();
        for (ColdStart.Second s : secs) {
            double v = p99 ? s.p99Millis() : s.p50Millis();
            if (!Double.isNaN(v) && v > 0) {
                points.add(new int[] {x(s.second(), seconds), y(v, lo, hi)});
            }
        }
        for (int k = 1; k < points.size(); k++) {
            g.drawLine(points.get(k - 1)[0], points.get(k - 1)[1], points.get(k)[0], points.get(k)[1]);
        }
        g.setStroke(new BasicStroke(1));
    }

    private static int x(int second, int seconds) {
        return LEFT + (int) Math.round((RIGHT - LEFT) * second / (double) Math.max(1, seconds - 1));
    }

    private static int y(double v, double lo, double hi) {
        double f = (Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo));
        return BASE - (int) Math.round((BASE - TOP) * Math.max(0, Math.min(1, f)));
    }
}
