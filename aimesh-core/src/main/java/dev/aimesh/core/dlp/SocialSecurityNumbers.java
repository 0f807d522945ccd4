package dev.aimesh.core.dlp;

/**
 * US Social Security numbers written AAA-GG-SSSS (or with spaces): area 001–899 but not 666, group 01–99,
 * serial 0001–9999, and not one of the numbers published as examples (078-05-1120, 219-09-9999).
 */
final class SocialSecurityNumbers {
    private SocialSecurityNumbers() {}

    /** {@code digits}: the nine digits in order. */
    static boolean valid(byte[] digits) {
        int area = digits[0] * 100 + digits[1] * 10 + digits[2];
        int group = digits[3] * 10 + digits[4];
        int serial = digits[5] * 1000 + digits[6] * 100 + digits[7] * 10 + digits[8];
        if (area == 0 || area == 666 || area >= 900 || group == 0 || serial == 0) {
            return false;
        }
        return !(area == 78 && group == 5 && serial == 1120) && !(area == 219 && group == 9 && serial == 9999);
    }
}
