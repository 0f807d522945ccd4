package dev.aimesh.bench.sidebyside;

import java.util.Arrays;
import java.util.List;

/** The median of repeated measurements with their range, as the report shows them ("1.23 (1.20–1.31)"). */
public record Spread(double median, double min, double max) {
    public static Spread of(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).filter(d -> !Double.isNaN(d)).sorted().toArray();
        if (v.length == 0) {
            return new Spread(Double.NaN, Double.NaN, Double.NaN);
        }
        double median = v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
        return new Spread(median, v[0], v[v.length - 1]);
    }

    public String format(String pattern) {
        if (Double.isNaN(median)) {
            return "–";
        }
        if (min == max) {
            return pattern.formatted(median);
        }
        return pattern.formatted(median) + " (" + pattern.formatted(min) + "–" + pattern.formatted(max) + ")";
    }

    static Spread ofArray(double... values) {
        return of(Arrays.stream(values).boxed().toList());
    }
}
