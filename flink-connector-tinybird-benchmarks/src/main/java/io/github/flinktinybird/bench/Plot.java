package io.github.flinktinybird.bench;

import javax.imageio.ImageIO;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Line charts side by side, drawn with Java2D: enough for the tuning curves, no plotting library. */
final class Plot {
    private static final Color[] COLORS = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0x9467bd)};

    static final class Series {
        final String name;
        final double[] x;
        final double[] y;
        final double[] low;
        final double[] high;

        Series(String name, double[] x, double[] y, double[] low, double[] high) {
            this.name = name;
            this.x = x;
            this.y = y;
            this.low = low;
            this.high = high;
        }
    }

    static final class Panel {
        final String title;
        final String xLabel;
        final String yLabel;
        final List<Series> series = new ArrayList<>();
        final double marker;

        /** @param marker an x to mark with a dashed line (the default), or NaN */
        Panel(String title, String xLabel, String yLabel, double marker) {
            this.title = title;
            this.xLabel = xLabel;
            this.yLabel = yLabel;
            this.marker = marker;
        }
    }

    static void write(File file, String heading, List<Panel> panels) throws IOException {
        int panelWidth = 560;
        int panelHeight = 430;
        int top = 50;
        BufferedImage image = new BufferedImage(panelWidth * panels.size(), panelHeight + top, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, image.getWidth(), image.getHeight());
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
        g.drawString(heading, 20, 30);
        for (int i = 0; i < panels.size(); i++) {
            draw(g, panels.get(i), i * panelWidth, top, panelWidth, panelHeight);
        }
        g.dispose();
        file.getAbsoluteFile().getParentFile().mkdirs();
        ImageIO.write(image, "png", file);
    }

    private static void draw(Graphics2D g, Panel p, int ox, int oy, int w, int h) {
        int left = ox + 75;
        int right = ox + w - 20;
        int top = oy + 35;
        int bottom = oy + h - 60;
        double xMin = Double.MAX_VALUE;
        double xMax = -Double.MAX_VALUE;
        double yMax = 0;
        for (Series s : p.series) {
            for (int i = 0; i < s.x.length; i++) {
                xMin = Math.min(xMin, s.x[i]);
                xMax = Math.max(xMax, s.x[i]);
                yMax = Math.max(yMax, s.high != null ? s.high[i] : s.y[i]);
            }
        }
        double lxMin = Math.log(xMin) / Math.log(2);
        double lxMax = Math.log(xMax) / Math.log(2);
        double yTop = niceCeiling(yMax * 1.08);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.setColor(Color.BLACK);
        g.drawString(p.title, left, oy + 20);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        FontMetrics fm = g.getFontMetrics();
        // grid and y ticks
        for (int t = 0; t <= 5; t++) {
            double v = yTop * t / 5;
            int y = bottom - (int) Math.round((bottom - top) * v / yTop);
            g.setColor(new Color(0xe0e0e0));
            g.drawLine(left, y, right, y);
            g.setColor(Color.DARK_GRAY);
            String label = v >= 1000 ? String.format("%.0fk", v / 1000) : v != Math.rint(v) && v < 10 ? String.format(java.util.Locale.ROOT, "%.2f", v) : String.format("%.0f", v);
            g.drawString(label, left - 8 - fm.stringWidth(label), y + 4);
        }
        // x ticks at each distinct x
        java.util.TreeSet<Double> xs = new java.util.TreeSet<>();
        for (Series s : p.series) {
            for (double x : s.x) {
                xs.add(x);
            }
        }
        for (double x : xs) {
            int px = xPixel(x, lxMin, lxMax, left, right);
            g.setColor(new Color(0xe0e0e0));
            g.drawLine(px, top, px, bottom);
            g.setColor(Color.DARK_GRAY);
            String label = shortNumber(x);
            g.drawString(label, px - fm.stringWidth(label) / 2, bottom + 16);
        }
        if (!Double.isNaN(p.marker)) {
            int px = xPixel(p.marker, lxMin, lxMax, left, right);
            g.setColor(new Color(0x555555));
            g.setStroke(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {6, 4}, 0));
            g.drawLine(px, top, px, bottom);
            g.drawString("default", px + 4, top + 12);
        }
        g.setStroke(new BasicStroke(1));
        g.setColor(Color.BLACK);
        g.drawRect(left, top, right - left, bottom - top);
        g.drawString(p.xLabel + " (log scale)", (left + right) / 2 - fm.stringWidth(p.xLabel + " (log scale)") / 2, bottom + 36);
        Graphics2D rotated = (Graphics2D) g.create();
        rotated.rotate(-Math.PI / 2);
        rotated.drawString(p.yLabel, -((top + bottom) / 2 + fm.stringWidth(p.yLabel) / 2), ox + 16);
        rotated.dispose();
        // series
        int legendY = bottom + 52;
        int legendX = left;
        for (int si = 0; si < p.series.size(); si++) {
            Series s = p.series.get(si);
            Color c = COLORS[si % COLORS.length];
            g.setColor(c);
            g.setStroke(new BasicStroke(2.2f));
            int prevX = -1;
            int prevY = -1;
            for (int i = 0; i < s.x.length; i++) {
                int px = xPixel(s.x[i], lxMin, lxMax, left, right);
                int py = bottom - (int) Math.round((bottom - top) * s.y[i] / yTop);
                if (prevX >= 0) {
                    g.drawLine(prevX, prevY, px, py);
                }
                g.fillOval(px - 4, py - 4, 8, 8);
                if (s.low != null) {
                    int lo = bottom - (int) Math.round((bottom - top) * s.low[i] / yTop);
                    int hi = bottom - (int) Math.round((bottom - top) * s.high[i] / yTop);
                    g.setStroke(new BasicStroke(1.2f));
                    g.drawLine(px, lo, px, hi);
                    g.drawLine(px - 4, lo, px + 4, lo);
                    g.drawLine(px - 4, hi, px + 4, hi);
                    g.setStroke(new BasicStroke(2.2f));
                }
                prevX = px;
                prevY = py;
            }
            g.fillRect(legendX, legendY - 9, 18, 4);
            g.setColor(Color.BLACK);
            g.drawString(s.name, legendX + 24, legendY - 3);
            legendX += 40 + fm.stringWidth(s.name);
        }
        g.setStroke(new BasicStroke(1));
    }

    private static int xPixel(double x, double lxMin, double lxMax, int left, int right) {
        double lx = Math.log(x) / Math.log(2);
        double f = lxMax == lxMin ? 0.5 : (lx - lxMin) / (lxMax - lxMin);
        return left + 15 + (int) Math.round((right - left - 30) * f);
    }

    private static double niceCeiling(double v) {
        double magnitude = Math.pow(10, Math.floor(Math.log10(v)));
        for (double step : new double[] {1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10}) {
            if (step * magnitude >= v) {
                return step * magnitude;
            }
        }
        return 10 * magnitude;
    }

    private static String shortNumber(double x) {
        if (x >= 1 << 20 && x % (1 << 20) == 0) {
            return String.format("%.0fM", x / (1 << 20));
        }
        if (x >= 1024 && x % 1024 == 0 && x < 1_000_000 && (long) x % 1000 != 0) {
            return String.format("%.0fK", x / 1024);
        }
        if (x >= 1000 && x % 1000 == 0) {
            return String.format("%.0fk", x / 1000);
        }
        if (x != Math.rint(x) && Math.abs(x) < 10) {
            return String.format(java.util.Locale.ROOT, "%.1f", x);
        }
        return String.format("%.0f", x);
    }

    private Plot() {}
}
