package dev.aimesh.core.config;

/** Sizes as Kubernetes writes quantities of bytes: {@code 65536}, {@code 64Ki}, {@code 1Mi}. */
public final class ByteSizes {
    private ByteSizes() {}

    /** @throws IllegalArgumentException saying what a size looks like, or that it is too large */
    public static long parse(String text) {
        long unit = 1;
        String digits = text;
        if (text.endsWith("Ki") || text.endsWith("Mi") || text.endsWith("Gi")) {
            unit = switch (text.charAt(text.length() - 2)) {
                case 'K' -> 1024L;
                case 'M' -> 1024L * 1024;
                default -> 1024L * 1024 * 1024;
            };
            digits = text.substring(0, text.length() - 2);
        }
        if (digits.isEmpty() || digits.length() > 12 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("'" + text + "' is not a size (expected: bytes, or a number with Ki, Mi or Gi,"
                    + " as 64Ki or 1Mi)");
        }
        return Long.parseLong(digits) * unit;
    }

    /** {@code 1Mi}, {@code 64Ki}, or the bytes when not a whole number of either. */
    public static String format(long bytes) {
        if (bytes > 0 && bytes % (1024 * 1024) == 0) {
            return bytes / (1024 * 1024) + "Mi";
        }
        return bytes > 0 && bytes % 1024 == 0 ? bytes / 1024 + "Ki" : Long.toString(bytes);
    }
}
