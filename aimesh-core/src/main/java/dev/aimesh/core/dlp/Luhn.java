package dev.aimesh.core.dlp;

/** The Luhn (mod 10) check digit that payment card numbers carry. */
final class Luhn {
    private Luhn() {}

    /** Whether {@code digits[0..length)} (0–9 each) pass the check. */
    static boolean valid(byte[] digits, int length) {
        int sum = 0;
        boolean twice = false;
        for (int i = length - 1; i >= 0; i--) {
            int d = digits[i];
            if (twice) {
                d *= 2;
                if (d > 9) {
                    d -= 9;
                }
            }
            sum += d;
            twice = !twice;
        }
        return sum % 10 == 0;
    }
}
