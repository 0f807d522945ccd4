package dev.aimesh.core.dlp;

/**
 * Whether a run of digits is a payment card number: an issuer's IIN range at the length that issuer uses, and
 * the Luhn check. A number that fails the checksum is not a card, whatever it looks like.
 */
final class PaymentCards {
    private PaymentCards() {}

    static boolean valid(byte[] digits, int length) {
        return length >= 12 && length <= 19 && issued(digits, length) && Luhn.valid(digits, length);
    }

    /** The first {@code n} digits as a number. */
    private static int prefix(byte[] digits, int n) {
        int v = 0;
        for (int i = 0; i < n; i++) {
            v = v * 10 + digits[i];
        }
        return v;
    }

    private static boolean issued(byte[] d, int length) {
        int p2 = prefix(d, 2);
        int p3 = prefix(d, 3);
        int p4 = prefix(d, 4);
        int p6 = prefix(d, 6);
        return switch (d[0]) {
            case 4 -> length == 13 || length == 16 || length == 19; // Visa
            case 5 -> (p2 >= 51 && p2 <= 55 && length == 16) // Mastercard
                    || ((p2 == 50 || (p2 >= 56 && p2 <= 58)) && length >= 12); // Maestro
            case 2 -> p4 >= 2221 && p4 <= 2720 && length == 16; // Mastercard 2-series
            case 3 -> ((p2 == 34 || p2 == 37) && length == 15) // American Express
                    || (((p3 >= 300 && p3 <= 305) || p2 == 36 || p2 == 38 || p2 == 39) && length >= 14) // Diners Club
                    || (p4 >= 3528 && p4 <= 3589 && length >= 16); // JCB
            case 6 -> ((p4 == 6011 || (p3 >= 644 && p3 <= 649) || p2 == 65 || (p6 >= 622126 && p6 <= 622925)) && length >= 16) // Discover
                    || (p2 == 62 && length >= 16) // UnionPay
                    || ((p4 == 6304 || p4 == 6759 || (p4 >= 6761 && p4 <= 6763)) && length >= 12); // Maestro
            default -> false;
        };
    }
}
